using System.CommandLine;

namespace OpenUM.Management;

/// <summary>
/// The options of one object type and how each changes the object, shared by `new` and `set` so the
/// two commands cannot drift apart: an option given on the command line is applied, others keep the value.
/// Each command gets its own option objects, so an option `new` requires (help says "REQUIRED", a missing one
/// is reported as missing) stays optional for `set`, which keeps the object's value.
/// </summary>
internal sealed class Fields<T>
{
    private sealed record Field(string Name, Func<Option> Create, Func<T, ParseResult, Option, T> Apply, bool RequiredByNew, string? ValidationField,
        Func<string, bool>? ServerPath);

    private readonly List<Field> _fields = [];

    /// <summary>The first option's name, for examples.</summary>
    public string FirstName => _fields[0].Name;

    /// <summary>
    /// An option; <paramref name="required"/> makes `new` require it (the object is invalid without it);
    /// <paramref name="field"/> is the validation field it sets when that is not its own name (errors then name this option);
    /// <paramref name="serverPath"/> says which values name a file the command reads (see <see cref="OptionFields.DeclareServerPath"/>).
    /// </summary>
    public Fields<T> Add<TValue>(string name, string description, Func<T, TValue, T> apply, bool required = false, string? field = null,
        Func<string, bool>? serverPath = null)
    {
        _fields.Add(new(name, () => new Option<TValue>(name) { Description = description },
            (item, result, option) => apply(item, result.GetValue((Option<TValue>)option)!), required, field, serverPath));
        return this;
    }

    /// <summary>A multi-valued parameter, given by repeating the option (as the cmdlets took arrays).</summary>
    public Fields<T> AddList(string name, string description, Func<T, string[], T> apply, string? field = null, Func<string, bool>? serverPath = null)
    {
        _fields.Add(new(name, () => new Option<string[]>(name) { Description = description + " (repeat the option for several)" },
            (item, result, option) => apply(item, result.GetValue((Option<string[]>)option) ?? []), false, field, serverPath));
        return this;
    }

    /// <summary>Adds the options to <paramref name="command"/> (required ones too when <paramref name="creating"/>); returns how to apply them.</summary>
    public Func<T, ParseResult, T> AddTo(Command command, bool creating = false)
    {
        var bound = new List<(Option Option, Field Field)>();
        foreach (var field in _fields)
        {
            var option = field.Create();
            option.Required = creating && field.RequiredByNew;
            if (field.ValidationField is { } validationField) OptionFields.Declare(option, validationField);
            if (field.ServerPath is { } serverPath) OptionFields.DeclareServerPath(option, serverPath);
            command.Options.Add(option);
            bound.Add((option, field));
        }
        return (item, result) =>
        {
            foreach (var (option, field) in bound)
                if (result.GetResult(option) is { Implicit: false }) item = field.Apply(item, result, option); // bool options always have an implicit result
            return item;
        };
    }
}
