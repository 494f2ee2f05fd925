using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Interop.Tests.Delivery;

/// <summary>
/// SIPp calls the real server with hostile From headers (one call per line of an injection file, all in one run);
/// every delivered message is parsed by Python's email package with email.policy.strict: it parses, no decoded
/// header holds CR or LF, and the caller's text is only display text (From display name, Subject, the X- voice
/// mail headers), never an address and never a header of its own. The greetings folder, opened up as an older
/// version left it, is owner-only again once the server has started.
/// </summary>
public sealed class HostileCallerMailTests(ITestOutputHelper output)
{
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string OwnMailbox = "user1001@example.test";

    /// <summary>One call: its id, the From display name and user part as sent (SIP-escaped), and what the message must show.</summary>
    private sealed record Caller(string Id, string SipName, string SipUser, string ShownName, string ShownNumber, string? From = null);

    private static readonly Caller[] Callers =
    [
        new("k01", "=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=", "5550001", "=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=", "5550001"),
        new("k02", "=?utf-8?b?Qm9zcw0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=", "5550002", "=?utf-8?b?Qm9zcw0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=", "5550002"),
        new("k03", "Eve=?utf-8?q?=0D=0A?=Bcc:victim@evil.example", "5550003", "Eve=?utf-8?q?=0D=0A?=Bcc:victim@evil.example", "5550003"),
        new("k04", "CEO \\\"<ceo@corp.example>\\\"", "5550004", "CEO ceo@corp.example", "5550004"),
        new("k05", "Boss <boss@corp.example>, victim@evil.example", "5550005", "Boss boss@corp.example, victim@evil.example", "5550005"),
        new("k06", "\u202Egnp.exe", "5550006", "gnp.exe", "5550006"),
        new("k07", "Line\u2028Bcc: victim@evil.example\u2029", "5550007", "Line Bcc: victim@evil.example", "5550007"),
        new("k08", new string('A', 7600), "5550008", new string('A', 61) + "...", "5550008"),                  // a 7.6 kB name (SIP line limit 8 kB)
        new("k09", "Eve %00 \\0 %0D%0A", "5550009", "Eve %00 0 %0D%0A", "5550009"),                          // \0 is a quoted-pair: '0'
        new("k10", "Ad\u200Bmin\uFEFF", "5550010", "Admin", "5550010"),
        new("k11", "Bob", "555%0D%0ABcc%3A%20victim%40evil.example", "Bob", "555 Bcc: victim@evil.example"),  // CR LF in the user part
        new("k12", "Bob", "5550012%00X-Injected%3A%201", "Bob", "5550012 X-Injected: 1"),                     // NUL in the user part
        new("k13", "Bob", "=?utf-8?q?Boss=0D=0ABcc=3A_victim?=", "Bob", "=?utf-8?q?Boss=0D=0ABcc=3A_vi..."),    // literal, and cut at 32
        new("k14", "", "=?utf-8?q?=0D=0A?=", "", "=?utf-8?q?=0D=0A?="),                                     // no name: the number is the display name
        new("k15", "J\u00FCrgen M\u00FCller", "+493012345678", "J\u00FCrgen M\u00FCller", "+493012345678"),
        new("k16", "=?utf-8?q?CEO?=", "1001", "User 1001", "1001", From: OwnMailbox),                      // the caller's own mailbox
    ];

    [Fact]
    public async Task EveryHostileFromBecomesDisplayTextInAStrictlyParsedMessage()
    {
        string python = Peers.Require("python3", "python3");
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("mailbox", "new", "--extension", "1001", "--dial-plan", "Test", "--email", OwnMailbox, "--display-name", "User 1001");
        string work = System.IO.Directory.CreateTempSubdirectory("openum-hostile-from-").FullName;
        try
        {
            // A short greeting keeps the calls short; the server must still read it after tightening its folder.
            string greeting = Path.Combine(work, "greeting.wav");
            File.WriteAllBytes(greeting, Tone(0.3, amplitude: 0));
            await um.CliOkAsync("mailbox", "set", "1000", "--dial-plan", "Test", "--greeting", greeting);
            // As an older version left them: the folder 0755, the greeting 0644.
            string folder = Path.Combine(um.DataDir, "greetings");
            string stored = Assert.Single(System.IO.Directory.GetFiles(folder));
            File.SetUnixFileMode(folder, Mode0755);
            File.SetUnixFileMode(stored, Mode0644);

            await um.StartAsync();
            Assert.Equal(Mode0700, File.GetUnixFileMode(folder));
            Assert.Equal(Mode0600, File.GetUnixFileMode(stored));
            var tightened = Assert.Single(um.ReadEvents(), e => e.Id == 2050);
            Assert.Contains("0755", tightened.Message, StringComparison.Ordinal);

            string csv = Path.Combine(work, "callers.csv");
            File.WriteAllText(csv, "SEQUENTIAL\n" + string.Concat(Callers.Select(c => $"{c.SipName};{c.SipUser};\n")), new UTF8Encoding(false));
            string ulaw = Path.Combine(work, "caller.ulaw");
            File.WriteAllBytes(ulaw, MuLaw(Tone(2.5, amplitude: 6000)));
            var sipp = await Sipp.RunAsync(new SippOptions("caller-hostile-from.xml", um.SipPort, "1000")
            {
                Calls = Callers.Length,
                Limit = Callers.Length,
                Rate = Callers.Length,
                PauseMs = 3000,
                Timeout = TimeSpan.FromSeconds(40),
                InjectionFile = "callers.csv",
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw, ["callers.csv"] = csv },
            }, output);
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == Callers.Length,
                $"expected {Callers.Length} successful SIPp calls\n{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}");

            string[] files = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, Callers.Length, TimeSpan.FromSeconds(60));
            Assert.Equal(Callers.Length, files.Length);
            var parsed = await StrictParseAsync(python, files, work);
            var seen = new HashSet<string>();
            foreach (var message in parsed)
            {
                Assert.True(message.Error is null, $"{message.File}: Python's strict parser failed: {message.Error}\n{File.ReadAllText(message.File)[..2000]}");
                // SIPp's Call-ID is "<call number>-<pid>@<ip>", and call N took line N of the injection file.
                var caller = Callers[int.Parse(message.CallId[..message.CallId.IndexOf('-')], CultureInfo.InvariantCulture) - 1];
                Assert.True(seen.Add(caller.Id), $"two messages for {caller.Id}");
                AssertDisplayTextOnly(caller, message, File.ReadAllBytes(message.File));
                output.WriteLine($"{caller.Id}: From {message.FromName} <{message.FromAddress}> | Subject {message.Subject}");
            }
            // Every caller without a mailbox of its own: one and the same sender, the server's.
            var senders = parsed.Where(m => m.FromAddress != OwnMailbox).Select(m => m.FromAddress).Distinct().ToList();
            Assert.Matches("^voicemail@[^@\\s]+$", Assert.Single(senders));
            Assert.Equal(senders[0], parsed.Single(m => m.FromAddress == OwnMailbox).SenderAddress);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private static void AssertDisplayTextOnly(Caller caller, StrictMessage m, byte[] eml)
    {
        string where = $"{caller.Id} ({Path.GetFileName(m.File)})";
        Assert.True(m.Error is null, $"{where}: Python's strict parser failed: {m.Error}");
        Assert.True(m.Defects.Count == 0, $"{where}: defects {string.Join("; ", m.Defects)}");
        foreach (var (name, value) in m.Headers)
            Assert.False(value.Contains('\r') || value.Contains('\n'), $"{where}: decoded {name} holds CR or LF: {JsonSerializer.Serialize(value)}");

        // Only the composer's headers: the caller's text made none of its own.
        string[] expected =
        [
            "From", "To", "Subject", "Date", "Message-Id", "X-OpenUM-CallerId", "X-CallingTelephoneNumber", "X-OpenUM-CalledExtension",
            "X-OpenUM-Duration", "X-OpenUM-CallId", "X-VoiceMessageDuration", "MIME-Version", "Content-Type",
            .. caller.ShownName.Length > 0 ? new[] { "X-VoiceMessageSenderName" } : [],
            .. caller.From is not null ? new[] { "Sender" } : [],
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), m.Headers.Select(h => h.Name).Order(StringComparer.Ordinal));

        // Addresses: the server's (or the caller's own mailbox from the directory) and the recipient, nothing else.
        Assert.Equal(1, m.FromCount);
        if (caller.From is { } own) Assert.Equal(own, m.FromAddress);
        else Assert.Null(m.SenderAddress);
        Assert.Equal([OpenUmProcess.MailboxAddress], m.ToAddresses);
        string display = caller.ShownName.Length > 0 ? caller.ShownName : caller.ShownNumber;
        // Python puts a space between adjacent encoded-words of a display name (RFC 2047 §6.2 says to drop it), so
        // the name is compared without spaces here and exactly in the unstructured headers below.
        Assert.Equal(NoSpaces(display), NoSpaces(m.FromName));

        string label = caller.ShownName.Length > 0 ? $"{caller.ShownName} ({caller.ShownNumber})" : caller.ShownNumber;
        Assert.True(Regex.IsMatch(m.Subject, "^Voice mail from " + Regex.Escape(label) + " \\(\\d+:\\d\\d\\)$"),
            $"{where}: Subject {JsonSerializer.Serialize(m.Subject)}, expected the caller {JsonSerializer.Serialize(label)}");
        Assert.Equal(caller.ShownNumber, m.Header("X-CallingTelephoneNumber"));
        Assert.Equal(caller.ShownNumber, m.Header("X-OpenUM-CallerId"));
        if (caller.ShownName.Length > 0) Assert.Equal(caller.ShownName, m.Header("X-VoiceMessageSenderName"));

        // As written: ASCII, and every encoded-word one the composer made (UTF-8, base64), none the caller sent.
        string text = Encoding.Latin1.GetString(eml).Replace("\r\n", "\n", StringComparison.Ordinal);
        string headers = text[..(text.IndexOf("\n\n", StringComparison.Ordinal) + 1)];
        Assert.DoesNotMatch("[^\\x20-\\x7E\\t\\n]", headers);
        string rest = Regex.Replace(headers, "=\\?utf-8\\?b\\?[A-Za-z0-9+/]*={0,2}\\?=(?=[ \\t\\n])", " ");
        Assert.False(rest.Contains("=?", StringComparison.Ordinal), $"{where}: an encoded-word the composer did not write:\n{headers}");
    }

    private static string NoSpaces(string s) => string.Concat(s.Where(c => c != ' '));

    /// <summary>What Python's email package (policy.strict) made of one message.</summary>
    private sealed record StrictMessage(string File, string? Error, List<string> Defects, List<(string Name, string Value)> Headers,
        int FromCount, string FromName, string FromAddress, string? SenderAddress, List<string> ToAddresses, string Subject, string CallId)
    {
        public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    // Parses each file with policy.strict (raise_on_defect): any exception is an error, any header's defects are
    // reported; address headers are read through their parsed addresses, everything else as decoded text.
    private const string Checker = """
        import email, email.policy, json, sys
        out = []
        for path in sys.argv[1:]:
            r = {"file": path, "error": None, "defects": [], "headers": []}
            try:
                with open(path, "rb") as f:
                    m = email.message_from_binary_file(f, policy=email.policy.strict)
                r["defects"] += [repr(d) for d in m.defects]
                for name, value in m.items():
                    r["headers"].append([name, str(value)])
                    r["defects"] += [name + ": " + repr(d) for d in getattr(value, "defects", ())]
                fr = m["From"].addresses
                r["fromCount"] = len(fr)
                r["fromName"] = fr[0].display_name if fr else ""
                r["fromAddress"] = fr[0].addr_spec if fr else ""
                r["senderAddress"] = m["Sender"].address.addr_spec if m["Sender"] is not None else None
                r["to"] = [a.addr_spec for a in m["To"].addresses]
                r["subject"] = str(m["Subject"])
                r["callId"] = str(m["X-OpenUM-CallId"])
            except Exception as e:
                r["error"] = type(e).__name__ + ": " + str(e)
            out.append(r)
        json.dump(out, sys.stdout)
        """;

    private static async Task<List<StrictMessage>> StrictParseAsync(string python, string[] files, string work)
    {
        string script = Path.Combine(work, "strict_parse.py");
        await File.WriteAllTextAsync(script, Checker);
        var run = await ChildProcess.RunAsync(python, [script, .. files], TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0 && !run.HungAndKilled, run.Describe());
        var list = new List<StrictMessage>();
        foreach (var e in JsonDocument.Parse(run.StdOut).RootElement.EnumerateArray())
        {
            string? error = e.GetProperty("error").GetString();
            list.Add(new StrictMessage(e.GetProperty("file").GetString()!, error,
                [.. e.GetProperty("defects").EnumerateArray().Select(d => d.GetString()!)],
                [.. e.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, h[1].GetString()!))],
                error is null ? e.GetProperty("fromCount").GetInt32() : 0,
                error is null ? e.GetProperty("fromName").GetString()! : "",
                error is null ? e.GetProperty("fromAddress").GetString()! : "",
                error is null ? e.GetProperty("senderAddress").GetString() : null,
                error is null ? [.. e.GetProperty("to").EnumerateArray().Select(a => a.GetString()!)] : [],
                error is null ? e.GetProperty("subject").GetString()! : "",
                error is null ? e.GetProperty("callId").GetString()! : Path.GetFileName(e.GetProperty("file").GetString()!)));
        }
        return list;
    }

    /// <summary>8 kHz mono PCM16 WAV of a 300 Hz tone (silence with amplitude 0).</summary>
    private static byte[] Tone(double seconds, int amplitude)
    {
        int frames = (int)(8000 * seconds);
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + frames * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000);
        w.Write(16000); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(frames * 2);
        for (int i = 0; i < frames; i++)
            w.Write((short)(amplitude * Math.Sin(2 * Math.PI * 300 * i / 8000)));
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>The samples of a PCM16 WAV made by <see cref="Tone"/> as headerless µ-law (SIPp's rtp_stream).</summary>
    private static byte[] MuLaw(byte[] wav)
    {
        var samples = wav.AsSpan(44);
        var ulaw = new byte[samples.Length / 2];
        for (int i = 0; i < ulaw.Length; i++)
            ulaw[i] = G711.LinearToMuLaw(BitConverter.ToInt16(samples.Slice(i * 2, 2)));
        return ulaw;
    }
}
