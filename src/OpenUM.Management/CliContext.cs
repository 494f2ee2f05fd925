using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpenUM.Directory;
using OpenUM.Directory.Postgres;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>The global options every command takes, and the shared way commands report results and errors.</summary>
internal static class CliContext
{
    public static readonly Option<string> DataDirOption = new("--data-dir")
    {
        Description = "Data directory (configuration store, events, maildir). Default: $OPENUM_DATA, else ./openum-data",
        Recursive = true,
    };

    public static readonly Option<string> StoreOption = new("--store")
    {
        Description = "Shared PostgreSQL configuration store: an Npgsql connection string or a postgres:// URI. " +
            "Default: $OPENUM_STORE, else <data-dir>/store.conf, else the SQLite file in the data directory",
        Recursive = true,
    };

    public static readonly Option<bool> JsonOption = new("--json")
    {
        Description = "Write machine-readable JSON instead of a table",
        Recursive = true,
    };

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static DataDirectory Data(ParseResult result) =>
        new(result.GetValue(DataDirOption) is { Length: > 0 } dir ? dir : DataDirectory.DefaultPath);

    /// <summary>
    /// Runs a command body against the store; configuration errors become "error: --option: message" naming the
    /// option of this command the error is about, with exit code 2, so scripts and people both see which option to fix.
    /// </summary>
    public static int Run(ParseResult result, Func<IConfigurationStore, DataDirectory, int> body)
    {
        try
        {
            var data = Data(result);
            using var store = OpenStore(result, data);
            return body(store, data);
        }
        catch (ConfigurationValidationException e)
        {
            CommandConsole.Error.WriteLine(OptionFields.Describe(result, e));
            CommandConsole.Record(OptionFields.Find(result, e.Field), e.Message);
            return 2;
        }
        catch (CliException e)
        {
            CommandConsole.Fail(e.Option, e.Detail, notFound: e is UnknownObjectException);
            return 2;
        }
        catch (ConfigurationStoreUnavailableException e)
        {
            CommandConsole.Fail(null, e.Message);
            return 1;
        }
    }

    /// <summary>The store chosen by --store, $OPENUM_STORE or &lt;data-dir&gt;/store.conf, else the data directory's SQLite file.</summary>
    public static IConfigurationStore OpenStore(ParseResult result, DataDirectory data) =>
        ConfigurationStores.Open(ConfigurationStores.Resolve(result.GetValue(StoreOption), data.Root), data.ConfigDatabase);

    /// <summary>Like <see cref="OpenStore"/>, but null when the configuration is a SQLite file not created yet.</summary>
    public static IConfigurationStore? OpenExistingStore(ParseResult result, DataDirectory data) =>
        ConfigurationStores.Resolve(result.GetValue(StoreOption), data.Root) is { } shared
            ? new PostgresConfigurationStore(shared)
            : File.Exists(data.ConfigDatabase) ? new SqliteConfigurationStore(data.ConfigDatabase) : null;

    /// <summary>CFG-2: every change is an event naming who made it, what, and the object before and after.</summary>
    public static void Audit(DataDirectory data, ConfigurationChange change)
    {
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(data);
        ServerEvents.ConfigurationChanged(events.CreateLogger("OpenUM.Cli"), CommandConsole.Actor,
            change.Kind.ToString(), ConfigurationChange.Describe(change.ObjectType), change.Name, change.Version,
            change.Before is null ? "" : JsonSerializer.Serialize(change.Before, change.Before.GetType(), Compact),
            change.After is null ? "" : JsonSerializer.Serialize(change.After, change.After.GetType(), Compact));
    }

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    /// <summary>Writes objects as JSON (with --json) or as a table of the given columns.</summary>
    public static void Print<T>(ParseResult result, IReadOnlyList<T> items, params (string Header, Func<T, object?> Value)[] columns)
    {
        if (result.GetValue(JsonOption))
        {
            CommandConsole.Out.WriteLine(JsonSerializer.Serialize(items, Json));
            return;
        }
        Table.Write(CommandConsole.Out, items, columns);
    }

    /// <summary>Writes one object as JSON, or as "Field : value" lines like Format-List.</summary>
    public static void PrintOne<T>(ParseResult result, T item)
    {
        if (result.GetValue(JsonOption))
        {
            CommandConsole.Out.WriteLine(JsonSerializer.Serialize(item, Json));
            return;
        }
        Table.WriteList(CommandConsole.Out, item);
    }
}

/// <summary>A user error outside configuration validation (unknown object name, unreadable file).</summary>
internal class CliException(string message) : Exception(message)
{
    /// <summary>The option the message starts with ("--fqdn: ..."), when it names one.</summary>
    public string? Option => Message.StartsWith("--", StringComparison.Ordinal) && Message.IndexOf(": ", StringComparison.Ordinal) is > 2 and var at
        && !Message.AsSpan(0, at).Contains(' ') ? Message[..at] : null;

    /// <summary>The message without its leading option.</summary>
    public string Detail => Option is { } option ? Message[(option.Length + 2)..] : Message;
}

/// <summary>The object a command names does not exist (the admin API answers 404).</summary>
internal sealed class UnknownObjectException(string message) : CliException(message);
