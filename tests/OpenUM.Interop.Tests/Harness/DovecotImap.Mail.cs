using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>One message as <c>doveadm fetch</c> reports it.</summary>
public sealed record DovecotMessage(string Mailbox, int Uid, IReadOnlyList<string> Flags, string MessageId)
{
    /// <summary>True when the message carries \Seen.</summary>
    public bool Seen => Flags.Contains("\\Seen", StringComparer.OrdinalIgnoreCase);
}

/// <summary>doveadm and LMTP: what a test uses to look into and change the mailboxes behind OpenUM's back.</summary>
public sealed partial class DovecotImap
{
    /// <summary><c>doveadm -c CONF ARGS</c>; the result, whatever the exit code.</summary>
    public Task<ProcessResult> DoveadmAsync(params string[] args) =>
        ChildProcess.RunAsync("/usr/bin/doveadm", ["-c", ConfPath, .. args], TimeSpan.FromSeconds(60));

    /// <summary><c>doveadm</c> that must succeed; its standard output.</summary>
    public async Task<string> DoveadmOkAsync(params string[] args)
    {
        var r = await DoveadmAsync(args);
        Assert.True(r.ExitCode == 0, "doveadm failed:\n" + r.Describe() + "\n" + Diagnostics);
        return r.StdOut;
    }

    /// <summary>
    /// The user's messages (in <paramref name="mailbox"/>, or in every mailbox when null), from
    /// <c>doveadm fetch 'mailbox uid flags hdr.message-id'</c>, ordered by mailbox and UID.
    /// </summary>
    public async Task<IReadOnlyList<DovecotMessage>> FetchAsync(string user, string? mailbox = null)
    {
        string[] query = mailbox is null ? ["ALL"] : ["mailbox", mailbox, "ALL"];
        // tab formatter: a header line naming the fields, then one line per message.
        string text = await DoveadmOkAsync(["-f", "tab", "fetch", "-u", user, "mailbox uid flags hdr.message-id", .. query]);
        var messages = new List<DovecotMessage>();
        foreach (string line in text.Split('\n').Skip(1))
        {
            if (line.Length == 0) continue;
            string[] f = line.Split('\t');
            Assert.True(f.Length >= 4, $"unexpected doveadm fetch line '{line}' in:\n{text}");
            messages.Add(new DovecotMessage(f[0], int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),
                f[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), f[3].Trim()));
        }
        return [.. messages.OrderBy(m => m.Mailbox, StringComparer.Ordinal).ThenBy(m => m.Uid)];
    }

    /// <summary>The raw message (headers and body) of UID <paramref name="uid"/> in <paramref name="mailbox"/>.</summary>
    public async Task<byte[]> FetchTextAsync(string user, string mailbox, int uid)
    {
        string text = await DoveadmOkAsync("-f", "flow", "fetch", "-u", user, "text", "mailbox", mailbox, "uid",
            uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        const string prefix = "text=";
        Assert.True(text.StartsWith(prefix, StringComparison.Ordinal), "unexpected doveadm fetch text output:\n" + PostfixSmartHost.Tail(text));
        return Encoding.UTF8.GetBytes(text[prefix.Length..]);
    }

    /// <summary>UIDs <c>doveadm search</c> finds for the query (e.g. "mailbox", "INBOX", "UNSEEN").</summary>
    public async Task<int[]> SearchAsync(string user, params string[] query)
    {
        string text = await DoveadmOkAsync(["search", "-u", user, .. query]);
        // "MAILBOX-GUID UID" per line.
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => int.Parse(l.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary><c>doveadm flags add|remove|replace -u USER FLAGS QUERY</c> (e.g. "add", "\\Seen", "mailbox", "INBOX", "ALL").</summary>
    public Task FlagsAsync(string user, string action, string flags, params string[] query) =>
        DoveadmOkAsync(["flags", action, "-u", user, flags, .. query]);

    /// <summary>
    /// File names of <paramref name="user"/>'s messages in <paramref name="mailbox"/> as they are on disk (Maildir++:
    /// INBOX is the user's directory, other folders are ".NAME" in it), for checks too frequent for doveadm; a name
    /// in cur/ ends with ":2,FLAGS" (S = \Seen, T = deleted-flagged).
    /// </summary>
    public string[] MaildirFiles(string user, string mailbox = "INBOX")
    {
        string dir = Path.Combine(Work, "mail", user.ToLowerInvariant());
        if (!string.Equals(mailbox, "INBOX", StringComparison.OrdinalIgnoreCase)) dir = Path.Combine(dir, "." + mailbox.Replace('/', '.'));
        return [.. new[] { "new", "cur" }.Select(d => Path.Combine(dir, d)).Where(System.IO.Directory.Exists)
            .SelectMany(System.IO.Directory.GetFiles).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
    }

    /// <summary>Waits (hang guard) until <paramref name="mailbox"/> holds at least <paramref name="count"/> messages.</summary>
    public async Task<IReadOnlyList<DovecotMessage>> WaitForMessagesAsync(string user, string mailbox, int count, TimeSpan hangGuard,
        Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var messages = await FetchAsync(user, mailbox);
            if (messages.Count >= count) return messages;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{messages.Count} of {count} messages in {user}'s {mailbox} after {hangGuard.TotalSeconds:0} s\n{diagnostics?.Invoke()}\n{Diagnostics}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Delivers <paramref name="message"/> (a complete RFC 5322 message) to <paramref name="user"/>'s INBOX over LMTP
    /// (RFC 2033), as Postfix would; returns Dovecot's reply to the data (250 ... Saved).
    /// </summary>
    public async Task<string> DeliverAsync(string user, byte[] message)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, LmtpPort);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        stream.ReadTimeout = 30_000;
        async Task<string> Reply(string expect)
        {
            var all = new StringBuilder();
            while (true)
            {
                string line = await reader.ReadLineAsync() ?? "";
                all.AppendLine(line);
                if (line.Length < 4 || line[3] != '-') break;
            }
            string reply = all.ToString().TrimEnd();
            Assert.True(reply.StartsWith(expect, StringComparison.Ordinal), $"LMTP: expected {expect}, got '{reply}'\n{Diagnostics}");
            return reply;
        }
        async Task Send(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
        await Reply("220");
        await Send("LHLO test.example.test");
        await Reply("250");
        await Send("MAIL FROM:<>");
        await Reply("250");
        await Send($"RCPT TO:<{user}>");
        await Reply("250");
        await Send("DATA");
        await Reply("354");
        await stream.WriteAsync(DotStuff(message));
        await Send(".");
        string saved = await Reply("250");
        await Send("QUIT");
        return saved;
    }

    // CRLF line ends, a leading '.' doubled (RFC 5321 §4.5.2), ending in CRLF.
    private static byte[] DotStuff(byte[] message)
    {
        string text = Encoding.UTF8.GetString(message).Replace("\r\n", "\n").Replace("\n", "\r\n");
        if (!text.EndsWith("\r\n", StringComparison.Ordinal)) text += "\r\n";
        var sb = new StringBuilder(text.Length + 16);
        foreach (string line in text[..^2].Split("\r\n"))
            sb.Append(line.StartsWith('.') ? "." : "").Append(line).Append("\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
