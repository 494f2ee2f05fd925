using System.Globalization;
using System.Text;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Mwi;
using OpenUM.Interop.Tests.Smtp;
using OpenUM.Interop.Tests.SubscriberAccess;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Imap;

/// <summary>
/// The voice mailbox is the user's real mailbox: a caller's message goes out through the Postfix smart host, which
/// hands it to Dovecot over LMTP; the subscriber calls in, hears it read back over IMAP (STARTTLS, Dovecot master
/// user) and deletes it by phone, which moves it to the \Trash folder in Dovecot. Meanwhile a SIPp UAS standing
/// for the gateway takes the message-waiting NOTIFYs: the lamp goes on after the deposit and off after the delete by
/// phone. The same run shows the master password never leaves its file: not in events, output, CLI views, data
/// directory or process command lines.
/// </summary>
public sealed class ImapSubscriberAccessTests(ITestOutputHelper output)
{
    private const string AccessNumber = "8000";
    private const string User = OpenUmProcess.MailboxAddress;
    // Covers the greeting for 1000 (~7.4 s) and the beep; a tone, not silence, so the recording's idle timeout
    // cannot end the recording before the speech.
    private const double LeadInSeconds = 8.5;
    // About 4 s of speech: the message is spoken twice in this test (left, then heard), so it is kept short.
    private const string Said = "Please call me back tomorrow morning at nine, and bring the blue folder.";
    // Hang guard for a NOTIFY: the server recounts at once or at most 2 s after the last recount (coalescing).
    private static readonly TimeSpan NotifyGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ImapMailboxThroughPostfix()
    {
        var pki = await TestPki.GetAsync();
        await using var dovecot = await DovecotImap.StartAsync(pki, output);
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output,
            extraMainCf: $"virtual_transport = lmtp:inet:127.0.0.1:{dovecot.LmtpPort}");
        // The gateway's message lamp: a SIPp UAS on a port of its own (not the caller's nor baresip's), listening before
        // the server starts; each NOTIFY is one SIPp call, so -m is a bound, and the run's own timeout a hang guard.
        await using var gateway = await SippPeer.StartAsync("mwi-gateway.xml", 5060, "gw", 20, TimeSpan.FromSeconds(300));
        await using var server = await SmtpUmServer.CreateAsync(output, pki, postfix,
            "--imap-host", dovecot.Endpoint(), "--imap-tls", "StartTls", "--imap-user", DovecotImap.MasterUser,
            "--imap-password-file", dovecot.PasswordFile, "--imap-login", "MasterUserSeparator", "--imap-delete-action", "MoveToTrash");
        var um = server.Um;
        await um.CliOkAsync("dialplan", "set", "Test", "--access-telephone-numbers", AccessNumber);
        await SubscriberFixtures.SetPinAsync(um);
        // Gateway "sipp" (127.0.0.1, where the callers come from) takes the dial plan's NOTIFYs on the UAS's port.
        await um.CliOkAsync("gateway", "set", "sipp", "--port", gateway.Port.ToString(CultureInfo.InvariantCulture));
        await um.StartAsync(extraArgs: ["--fqdn", TestPki.UmName]);
        string Diagnostics() => um.EventsText() + "\n" + um.ServerOutput + "\n" + dovecot.Diagnostics + "\n--- maillog ---\n" + PostfixSmartHost.Tail(postfix.Log);

        string work = System.IO.Directory.CreateTempSubdirectory("openum-imap-test-").FullName;
        try
        {
            // A caller leaves a spoken message; it reaches Dovecot's INBOX through Postfix and LMTP.
            var left = await SpeechFixtures.GetClipAsync(Said, LeadInSeconds);
            await SippCaller.LeaveMessageAsync(um, left, output, Diagnostics, tailMs: 500);
            var delivered = Assert.Single(await dovecot.WaitForMessagesAsync(User, "INBOX", 1, TimeSpan.FromSeconds(60), Diagnostics));
            Assert.False(delivered.Seen);
            Assert.Matches(@"status=sent \(250 2\.0\.0 .*Saved\)", postfix.Log);
            Assert.Empty(postfix.Mail(User)); // not in the smart host's own Maildir: Dovecot has it
            Assert.Empty(um.AllMaildirFiles()); // nor in the server's local maildir: what is heard next comes over IMAP
            // The lamp: off at the start (INBOX empty), on once the deposit is in Dovecot - one new message, none heard.
            var lampWait = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(["no 0/0", "yes 1/0"], await gateway.WaitForSummariesAsync(2, NotifyGuard, Diagnostics));
            var lampOnWait = lampWait.Elapsed;
            Assert.Contains("NOTIFY sip:1000@127.0.0.1:" + gateway.Port + ";transport=tcp SIP/2.0", gateway.Log, StringComparison.Ordinal);

            // The subscriber logs on, hears it (the store sets \Seen once it was played whole), presses 3 to delete
            // it, and hangs up once it is in Trash.
            bool Heard() => dovecot.MaildirFiles(User).Any(f => f.Contains(":2,", StringComparison.Ordinal) && f[(f.IndexOf(":2,", StringComparison.Ordinal) + 3)..].Contains('S'));
            bool Trashed() => dovecot.MaildirFiles(User, "Trash").Length > 0;
            var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC); // baresip must send something; the server ignores it
            string heardPath = Path.Combine(work, "heard.wav");
            var call = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(70),
                heardPath, output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#1", TimeSpan.FromSeconds(1)) // 1: the messages
                {
                    Then = new BaresipDtmf("3", TimeSpan.FromSeconds(50)) { When = Heard },
                }, hangUpWhen: Trashed);
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + Diagnostics());
            Assert.Equal("1000", (await um.WaitForEventAsync(1036, null, TimeSpan.FromSeconds(20))).Property("Extension"));
            Assert.True(Heard() || Trashed(), "the message was never marked heard in Dovecot\n" + call.Describe() + "\n" + Diagnostics());

            // What the subscriber heard is what the caller said (its speech, past the lead-in tone).
            Assert.True(call.ReceivedWav is not null, "baresip wrote no received audio\n" + call.Describe());
            short[] heard = PcmWav.Read(heardPath).Mono();
            short[] said = left.Samples[(int)(left.SpeechStart.TotalSeconds * RecordingCheck.Rate)..];
            var found = AudioCompare.Align(heard, said, RecordingCheck.Rate, TimeSpan.Zero);
            var never = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceB);
            var control = AudioCompare.Align(heard, never.Samples, RecordingCheck.Rate, TimeSpan.Zero);
            output.WriteLine($"heard {heard.Length / 8000.0:0.00}s; the caller's speech {found}; a sentence never left {control}");
            Assert.True(found.Correlation >= AudioCompare.SameAudioThreshold, $"the subscriber did not hear the caller's message: {found}\n{Diagnostics()}");
            Assert.True(control.Correlation < found.Correlation, $"negative control scored {control} vs {found}");

            // Deleted by phone = moved to Dovecot's \Trash folder: there, and no longer in INBOX.
            Assert.True(Trashed(), "the message did not reach Trash\n" + call.Describe() + "\n" + Diagnostics());
            Assert.DoesNotContain(await dovecot.FetchAsync(User, "INBOX"), m => m.MessageId == delivered.MessageId);
            var trashed = Assert.Single(await dovecot.FetchAsync(User, "Trash"));
            Assert.Equal(delivered.MessageId, trashed.MessageId);
            Assert.True(trashed.Seen, $"the trashed message has flags {string.Join(' ', trashed.Flags)}");
            // And the lamp goes off: after the delete by phone, "no" with no message at all (0/0). Hearing it may have
            // told "no 0/1" first, unless the delete came within the server's 2 s recount interval and coalesced with it.
            lampWait.Restart();
            var summaries = await gateway.WaitForSummariesAsync(f => f.Count > 2 && f[^1] == "no 0/0", "the lamp off (no 0/0) after the delete", NotifyGuard, Diagnostics);
            output.WriteLine($"NOTIFYs to the gateway: [{string.Join(", ", summaries)}]; waited {lampOnWait.TotalSeconds:0.0} s for the lamp on, {lampWait.Elapsed.TotalSeconds:0.0} s for it off");
            Assert.True(summaries.SequenceEqual(["no 0/0", "yes 1/0", "no 0/0"]) || summaries.SequenceEqual(["no 0/0", "yes 1/0", "no 0/1", "no 0/0"]),
                $"NOTIFYs to the gateway: [{string.Join(", ", summaries)}]\n{gateway.Log}");
            // OpenUM opened the mailbox as the master user, and only over TLS.
            string[] logins = [.. dovecot.Log.Split('\n').Where(l => l.Contains("imap-login: Info: Login: user=<" + User + ">", StringComparison.Ordinal))];
            Assert.NotEmpty(logins);
            Assert.All(logins, l => Assert.Contains(", TLS", l));
            Assert.Contains("Master user logging in as " + User, dovecot.Log);

            await AssertPasswordNowhereAsync(um, dovecot);
            await um.AssertCleanStopAsync();
            AssertNotIn(dovecot.MasterPassword, "the server's output after it stopped", um.ServerOutput);
            AssertNotIn(dovecot.MasterPassword, "events.jsonl after the stop", await File.ReadAllTextAsync(Path.Combine(um.DataDir, "events.jsonl")));
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // Must-show 6: the master password is in its file (the negative control) and nowhere OpenUM writes or shows.
    private async Task AssertPasswordNowhereAsync(OpenUmProcess um, DovecotImap dovecot)
    {
        string secret = dovecot.MasterPassword;
        Assert.Contains(secret, await File.ReadAllTextAsync(dovecot.PasswordFile));

        var get = await um.CliOkAsync("server", "get", "--json");
        Assert.Contains(dovecot.Endpoint(), get.StdOut); // the view is about the IMAP store, and shows no secret
        AssertNotIn(secret, "openum server get --json", get.StdOut + get.StdErr);
        var status = await um.CliOkAsync("status", "--json");
        AssertNotIn(secret, "openum status --json", status.StdOut + status.StdErr);
        AssertNotIn(secret, "the server's output", um.ServerOutput);
        AssertNotIn(secret, "Dovecot's log", dovecot.Log);

        // Every file of the data directory: events.jsonl, the configuration store, the outbox, anything.
        byte[] needle = Encoding.UTF8.GetBytes(secret);
        int files = 0;
        foreach (string file in System.IO.Directory.EnumerateFiles(um.DataDir, "*", SearchOption.AllDirectories))
        {
            // Sockets and other empty entries cannot hold it (and a socket cannot be opened as a file).
            if (new FileInfo(file).Length == 0) continue;
            files++;
            Assert.False((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) >= 0, $"the master password is in {file}");
        }
        Assert.True(File.Exists(Path.Combine(um.DataDir, "events.jsonl")) && files > 1, $"only {files} files in {um.DataDir}");

        // Command lines (and the serve process's environment) of every OpenUM process running now.
        var pids = new List<int>();
        foreach (string dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            string cmdline;
            try { cmdline = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(dir, "cmdline"))); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (!cmdline.Split('\0').Any(a => a.EndsWith("openum.dll", StringComparison.Ordinal) || Path.GetFileName(a) == "openum")) continue;
            pids.Add(pid);
            AssertNotIn(secret, $"/proc/{pid}/cmdline", cmdline);
        }
        Assert.Contains(um.ServerPid, pids);
        AssertNotIn(secret, "the serve process's environment", Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{um.ServerPid}/environ")));
        output.WriteLine($"master password absent from {files} data files, {pids.Count} OpenUM command lines, server get/status, output, Dovecot's log");
    }

    private static void AssertNotIn(string secret, string where, string text) =>
        Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the IMAP master password appears in {where}");
}
