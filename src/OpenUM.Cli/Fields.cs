using System.CommandLine;

namespace OpenUM.Cli;

/// <summary>
/// The options of one object type and how each changes the object, shared by `new` and `set` so the
/// two commands cannot drift apart: an option given on the command line is applied, others keep the value.
/// </summary>
internal sealed class Fields<T>
{
    private readonly List<(Option Option, Func<T, ParseResult, T> Apply)> _fields = [];

    public IEnumerable<Option> Options => _fields.Select(f => f.Option);

    public Fields<T> Add<TValue>(string name, string description, Func<T, TValue, T> apply)
    {
        var option = new Option<TValue>(name) { Description = description };
        _fields.Add((option, (item, result) => apply(item, result.GetValue(option)!)));
        return this;
    }

    /// <summary>A multi-valued parameter, given by repeating the option (as the cmdlets took arrays).</summary>
    public Fields<T> AddList(string name, string description, Func<T, string[], T> apply)
    {
        var option = new Option<string[]>(name) { Description = description + " (repeat the option for several)" };
        _fields.Add((option, (item, result) => apply(item, result.GetValue(option) ?? [])));
        return this;
    }

    public T Apply(T item, ParseResult result)
    {
        foreach (var (option, apply) in _fields)
            if (result.GetResult(option) is { Implicit: false }) item = apply(item, result); // bool options always have an implicit result
        return item;
    }

    public Command AddTo(Command command)
    {
        foreach (var (option, _) in _fields) command.Options.Add(option);
        return command;
    }
}
