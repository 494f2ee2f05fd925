using System.CommandLine;
using OpenUM.Directory;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>
/// The four verbs every configuration object has (new, set, get, remove), built from one description of
/// the object so each noun's file only says what is particular to it.
/// </summary>
internal static class ObjectCommands
{
    /// <summary>What the generic verbs need to know about one object type.</summary>
    public sealed record Spec<T>(
        string Noun, string Title, string Example, Fields<T> Fields,
        Func<string, ParseResult, T> NewObject,
        Func<ConfigurationSnapshot, IReadOnlyList<T>> List,
        Func<ConfigurationSnapshot, string, ParseResult, T?> Find,
        Func<IConfigurationStore, T, ConfigurationChange> Add,
        Func<IConfigurationStore, T, ConfigurationChange> Update,
        Func<IConfigurationStore, T, ConfigurationChange> Remove,
        (string Header, Func<T, object?> Value)[] Columns,
        string KeyName = "name",
        Option[]? ExtraSelectors = null,
        Func<T, ParseResult, DataDirectory, T>? Prepare = null,
        Action<ConfigurationSnapshot, T, ParseResult>? BeforeAdd = null,
        Action<IConfigurationStore, T, ParseResult, DataDirectory>? AfterAdd = null,
        Option[]? ExtraNewOptions = null,
        string? Plural = null,
        Option[]? NewSelectors = null,
        Func<T, ParseResult, DataDirectory, IConfigurationStore, T>? PrepareInStore = null) where T : class
    {
        /// <summary>The title in the plural ("mailboxes", "mailbox policies").</summary>
        public string Titles => Plural ?? Title + "s";

        /// <summary>The title with its indefinite article ("a dial plan", "an IP gateway").</summary>
        public string ATitle => ("AEIOUaeiou".Contains(Title[0]) ? "an " : "a ") + Title;
    }

    public static Command Create<T>(Spec<T> spec) where T : class
    {
        var noun = new Command(spec.Noun, $"Manage {spec.Titles}.");
        noun.Subcommands.Add(New(spec));
        noun.Subcommands.Add(Set(spec));
        noun.Subcommands.Add(Get(spec));
        noun.Subcommands.Add(Remove(spec));
        return noun;
    }

    private static Command New<T>(Spec<T> spec) where T : class
    {
        var key = new Option<string>("--" + spec.KeyName) { Description = $"The {spec.Title}'s {spec.KeyName}", Required = true };
        var command = new Command("new", $"Create {spec.ATitle}.\nExample: {spec.Example}") { key };
        // `new` may require a selector the other verbs take as optional (a new mailbox's dial plan): NewSelectors replaces them.
        foreach (var o in spec.NewSelectors ?? spec.ExtraSelectors ?? []) command.Options.Add(o);
        foreach (var o in spec.ExtraNewOptions ?? []) command.Options.Add(o);
        var apply = spec.Fields.AddTo(command, creating: true);
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            var item = apply(spec.NewObject(result.GetValue(key)!, result), result);
            if (spec.Prepare is not null) item = spec.Prepare(item, result, data);
            if (spec.PrepareInStore is not null) item = spec.PrepareInStore(item, result, data, store);
            spec.BeforeAdd?.Invoke(store.Load(), item, result);
            CliContext.Audit(data, spec.Add(store, item));
            spec.AfterAdd?.Invoke(store, item, result, data);
            CliContext.PrintOne(result, item);
            return 0;
        }));
        return command;
    }

    private static Command Set<T>(Spec<T> spec) where T : class
    {
        var key = new Argument<string>(spec.KeyName) { Description = $"The {spec.Title} to change" };
        string option = spec.Fields.FirstName;
        var command = new Command("set", $"Change {spec.ATitle}; options not given keep their value.\n" +
            $"Example: openum {spec.Noun} set {SampleKey(spec)} {option} <value>") { key };
        foreach (var o in spec.ExtraSelectors ?? []) command.Options.Add(o);
        var apply = spec.Fields.AddTo(command);
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            var item = Existing(spec, store, result, result.GetValue(key)!);
            item = apply(item, result);
            if (spec.Prepare is not null) item = spec.Prepare(item, result, data);
            if (spec.PrepareInStore is not null) item = spec.PrepareInStore(item, result, data, store);
            CliContext.Audit(data, spec.Update(store, item));
            CliContext.PrintOne(result, item);
            return 0;
        }));
        return command;
    }

    // The object named in the `new` example (the value after --name, or after --extension for mailboxes), plus the
    // selectors it needs, so every verb's example names the same object.
    private static string SampleKey<T>(Spec<T> spec) where T : class
    {
        string[] words = spec.Example.Split(' ');
        int at = Array.IndexOf(words, "--" + spec.KeyName);
        string key = at >= 0 && at + 1 < words.Length ? words[at + 1] : "<" + spec.KeyName + ">";
        foreach (var selector in spec.ExtraSelectors ?? [])
        {
            int s = Array.IndexOf(words, selector.Name);
            if (s >= 0 && s + 1 < words.Length)
                key += $" {selector.Name} {words[s + 1]}";
        }
        return key;
    }

    private static Command Get<T>(Spec<T> spec) where T : class
    {
        var key = new Argument<string?>(spec.KeyName) { Description = $"The {spec.Title} to show (all when omitted)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("get", $"Show {spec.Titles}.\nExample: openum {spec.Noun} get {SampleKey(spec)} --json") { key };
        foreach (var o in spec.ExtraSelectors ?? []) command.Options.Add(o);
        command.SetAction(result => CliContext.Run(result, (store, _) =>
        {
            if (result.GetValue(key) is { } name)
            {
                var item = Existing(spec, store, result, name);
                if (result.GetValue(CliContext.JsonOption)) CliContext.PrintOne(result, item);
                else CliContext.Print(result, [item], spec.Columns);
                return 0;
            }
            CliContext.Print(result, spec.List(store.Load()), spec.Columns);
            return 0;
        }));
        return command;
    }

    private static Command Remove<T>(Spec<T> spec) where T : class
    {
        var key = new Argument<string>(spec.KeyName) { Description = $"The {spec.Title} to remove" };
        var command = new Command("remove", $"Remove {spec.ATitle}.\nExample: openum {spec.Noun} remove {SampleKey(spec)}") { key };
        foreach (var o in spec.ExtraSelectors ?? []) command.Options.Add(o);
        command.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            CliContext.Audit(data, spec.Remove(store, Existing(spec, store, result, result.GetValue(key)!)));
            CommandConsole.Out.WriteLine($"Removed {spec.Title} {result.GetValue(key)}.");
            return 0;
        }));
        return command;
    }

    private static T Existing<T>(Spec<T> spec, IConfigurationStore store, ParseResult result, string name) where T : class =>
        spec.Find(store.Load(), name, result)
        ?? throw new UnknownObjectException($"there is no {spec.Title} '{name}' (list them with: openum {spec.Noun} get).");
}
