namespace OpenUM.Server;

/// <summary>The layout of the data directory (config store, event log, maildir, spool), owner-only.</summary>
public sealed class DataDirectory
{
    /// <summary>Uses <paramref name="root"/> as the data directory, creating it (mode 0700) when missing.</summary>
    public DataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
        if (!System.IO.Directory.Exists(Root))
            System.IO.Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The directory itself.</summary>
    public string Root { get; }
    /// <summary>SQLite configuration store.</summary>
    public string ConfigDatabase => Path.Combine(Root, "config.db");
    /// <summary>Event log, one JSON object per line.</summary>
    public string EventLog => Path.Combine(Root, "events.jsonl");
    /// <summary>Local maildir root (one Maildir per recipient address).</summary>
    public string Maildir => Path.Combine(Root, "maildir");
    /// <summary>Recordings in progress.</summary>
    public string Spool => Path.Combine(Root, "spool");
    /// <summary>SMTP outbox (queue/, dead/) for delivery through a smart host.</summary>
    public string Outbox => Path.Combine(Root, "outbox");
    /// <summary>Certificate store (personal/, trusted/, pending/), owner-only.</summary>
    public string Certificates => Path.Combine(Root, "certificates");
    /// <summary>Mailbox greetings set with `openum mailbox set --greeting`.</summary>
    public string Greetings => Path.Combine(Root, Calls.GreetingStore.FolderName);
    /// <summary>Language packs replacing the shipped prompts: prompts/&lt;language&gt;/&lt;name&gt;.wav, read at start.</summary>
    public string Prompts => Path.Combine(Root, Calls.Languages.PromptLanguages.FolderName);

    /// <summary>The default: $OPENUM_DATA, else ./openum-data.</summary>
    public static string DefaultPath => Environment.GetEnvironmentVariable("OPENUM_DATA") is { Length: > 0 } env ? env : "openum-data";
}
