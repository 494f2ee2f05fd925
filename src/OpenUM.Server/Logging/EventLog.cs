using Microsoft.Extensions.Logging;

namespace OpenUM.Server.Logging;

/// <summary>
/// Which event log a data directory uses. `openum serve` records its --log-target in
/// &lt;data-dir&gt;/event-log-target at every start; CLI commands read it so their audit events (2100,
/// 2026, 2040, ...) land where the server's events are, and `openum events` reads from there.
/// </summary>
public static class EventLog
{
    /// <summary>File name of the record in the data directory.</summary>
    public const string TargetFileName = "event-log-target";

    /// <summary>Records the server's log target (written to a temporary file and renamed, so readers never see half of it).</summary>
    public static void RecordTarget(DataDirectory data, EventLogTarget target)
    {
        string path = Path.Combine(data.Root, TargetFileName);
        string temp = path + ".tmp";
        File.WriteAllText(temp, "# Where `openum serve` writes events (--log-target); read by CLI commands and `openum events`.\n" +
            target.ToString().ToLowerInvariant() + "\n");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The recorded log target: file when nothing (or nothing readable) is recorded.</summary>
    public static EventLogTarget RecordedTarget(DataDirectory data)
    {
        try
        {
            foreach (string line in File.ReadLines(Path.Combine(data.Root, TargetFileName)))
                if (line.Trim() is { Length: > 0 } value && value[0] != '#')
                    return EventLogRotation.TryParseTarget(value, out var target, out _) ? target : EventLogTarget.File;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return EventLogTarget.File;
    }

    /// <summary>
    /// The event log of a CLI command, where the server's events go (its recorded --log-target): see <see cref="For"/>.
    /// </summary>
    public static ILoggerFactory ForCommand(DataDirectory data, string journalSocket = JournaldLoggerProvider.DefaultSocket) =>
        For(data, RecordedTarget(data), journalSocket);

    /// <summary>
    /// An event log outside the running server (CLI commands, a failed start): the systemd journal when
    /// <paramref name="target"/> sends events there and the journal socket exists (what the journal does not take goes
    /// to events.jsonl), events.jsonl too under `both`, else events.jsonl alone; events.jsonl is opened once per event
    /// so the server's rotation is never in the way. Disposing it flushes and closes every part.
    /// </summary>
    public static ILoggerFactory For(DataDirectory data, EventLogTarget target, string journalSocket = JournaldLoggerProvider.DefaultSocket)
    {
        var file = new JsonLinesLoggerProvider(data.EventLog, TimeProvider.System);
        var factory = new LoggerFactory();
        if (target == EventLogTarget.File || !File.Exists(journalSocket))
        {
            factory.AddProvider(file);
        }
        else if (target == EventLogTarget.Both)
        {
            factory.AddProvider(new JournaldLoggerProvider(journalSocket,
                new StandardErrorLoggerProvider(TimeProvider.System, StandardErrorLoggerProvider.FormatForThisProcess(), "events.jsonl"),
                JsonLinesLoggerProvider.Fallback, TimeProvider.System));
            factory.AddProvider(file);
        }
        else
        {
            factory.AddProvider(new JournaldLoggerProvider(journalSocket, file, data.EventLog, TimeProvider.System));
        }
        return factory;
    }

    /// <summary>Whether events of <paramref name="target"/> go to the journal.</summary>
    public static bool ToJournal(EventLogTarget target) => target is EventLogTarget.Journald or EventLogTarget.Both;

    /// <summary>Whether events of <paramref name="target"/> go to events.jsonl.</summary>
    public static bool ToFile(EventLogTarget target) => target is EventLogTarget.File or EventLogTarget.Both;
}
