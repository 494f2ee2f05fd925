using System.Globalization;
using OpenUM.Directory.Postgres;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Postgres;
using OpenUM.Interop.Tests.SubscriberAccess;

namespace OpenUM.Interop.Tests.Storage;

/// <summary>
/// Issue 12 check 4: the shared PostgreSQL store stops while a server takes calls. A message call in progress and a
/// new one go on with the last good configuration and are delivered (2015); a subscriber's PIN logon hears "the
/// system cannot check your PIN now" (2034) and nothing is counted, even on a policy where one wrong PIN locks the
/// mailbox. After PostgreSQL is back, a mailbox added through another server's CLI takes a call on the running
/// server, and the PIN works. The cluster is the test's own (it is stopped and started), not the shared fixture.
/// </summary>
public sealed class StoreOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AccessNumber = "8000";
    private const string WrongPin = "907362";
    private const string NewMailboxAddress = "user1001@example.test";
    // Covers the greeting for 1000 (~7.4 s) and the beep, so the speech after it is recorded (see SippVoiceMailTests).
    private const double LeadInSeconds = 10;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly TempPostgres _postgres = new();

    /// <inheritdoc/>
    public Task InitializeAsync() => _postgres.InitializeAsync();

    /// <inheritdoc/>
    public Task DisposeAsync() => _postgres.DisposeAsync();

    [Fact]
    public async Task CallsGoOnPinLogonsAreRefusedAndChangesArePickedUpAfterTheRestart()
    {
        string store = _postgres.ConnectionString();
        await using var um = new OpenUmProcess(output);
        await using var otherServer = new OpenUmProcess(output);   // only its CLI is used: "another server's CLI"
        WriteStoreSetting(um.DataDir, store);
        WriteStoreSetting(otherServer.DataDir, store);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("dialplan", "set", "Test", "--access-telephone-numbers", AccessNumber);
        // One wrong PIN locks the mailbox: any attempt counted during the outage would show as a lockout.
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "OneTry", "--dial-plan", "Test", "--max-logon-attempts", "1",
            "--logon-failures-before-pin-reset", "Unlimited");
        await um.CliOkAsync("mailbox", "set", "1000", "--dial-plan", "Test", "--mailbox-policy", "OneTry");
        await SubscriberFixtures.SetPinAsync(um);
        await um.StartAsync();

        var speech = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceA, LeadInSeconds);
        var mic = await SpeechFixtures.GetClipAsync(SpeechFixtures.SentenceC);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-store-outage-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await AudioTools.ToMuLawRawAsync(speech.WavPath, ulaw);
            int pauseMs = (int)(speech.Samples.Length * 1000.0 / RecordingCheck.Rate) + 1000;

            // A message call is answered; PostgreSQL stops while it records.
            var inProgress = MessageCallAsync(um, "1000", ulaw, pauseMs);
            await um.WaitForEventAsync(2002, null, HangGuard);
            await PgCtlAsync("stop", "-m", "fast");
            var lost = await um.WaitForEventAsync(2015, null, HangGuard);
            output.WriteLine("store stopped: " + lost.Raw);

            // During the outage: a new message call and a PIN logon, at the same time.
            var during = MessageCallAsync(um, "1000", ulaw, pauseMs);
            string heardPath = Path.Combine(work, "heard-refusal.wav");
            var logon = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(40),
                heardPath, output, dtmf: new BaresipDtmf("1000#" + WrongPin + "#", TimeSpan.FromSeconds(1)));
            AssertCallSucceeded(await inProgress, "the call in progress when the store stopped", um);
            AssertCallSucceeded(await during, "the call made while the store was stopped", um);
            await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 2, HangGuard);

            // The logon: refused with the spoken message, the call ended by the server, nothing counted.
            Assert.True(logon.Established, "baresip call not established\n" + logon.Describe() + "\n" + um.EventsText());
            Assert.True(logon.ClosedByPeer, "the server did not end the call after refusing the logon\n" + logon.Describe() + "\n" + um.EventsText());
            var refusal = await um.WaitForEventAsync(2034, null, HangGuard);
            output.WriteLine("logon refused: " + refusal.Raw);
            Assert.Equal("1000", refusal.Property("Extension"));
            Assert.Contains("127.0.0.1", refusal.Property("Reason"), StringComparison.Ordinal);   // names the store
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id is 1012 or 1013 or 1036 or 2030 or 2005);
            // Ended by the server's BYE after the prompt, as any call it ends (2003), not by an error.
            var ended = await um.WaitForEventAsync(2003, e => e.Property("CallId") == refusal.Property("CallId"), HangGuard);
            Assert.Contains("StoreUnavailable", ended.Property("Reason"), StringComparison.Ordinal);
            ExpectedPrompts.AssertHeard(heardPath, "pin-unavailable", "wrong-pin", output);

            // PostgreSQL is back; another server's CLI adds a mailbox; the running server picks it up.
            await PgCtlAsync("start", "-l", Path.Combine(_postgres.WorkDir, "pg.log"));
            await otherServer.CliOkAsync("mailbox", "new", "--extension", "1001", "--dial-plan", "Test",
                "--email", NewMailboxAddress, "--display-name", "User 1001");
            long version;
            using (var reader = new PostgresConfigurationStore(StoreLocation.Parse(store)))
            {
                version = reader.GetVersion();
                var pin = reader.GetPin("Test", "1000");
                Assert.NotNull(pin);
                Assert.False(pin.LockedOut, "the outage locked the mailbox");
                Assert.Equal(0, pin.ConsecutiveFailures);
            }
            await um.WaitForEventAsync(2011, e => long.TryParse(e.Property("Version"), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= version, HangGuard);
            AssertCallSucceeded(await MessageCallAsync(um, "1001", ulaw, pauseMs), "the call to the mailbox added after the restart", um);
            await um.WaitForDeliveriesAsync(NewMailboxAddress, 1, HangGuard);

            // And the right PIN logs on: the outage left no trace on the mailbox.
            var after = await BaresipPhone.CallAsync($"sip:{AccessNumber}@127.0.0.1:{um.SipPort}", mic.WavPath, TimeSpan.FromSeconds(12),
                Path.Combine(work, "heard-logon.wav"), output, dtmf: new BaresipDtmf("1000#" + SubscriberFixtures.Pin + "#", TimeSpan.FromSeconds(1)),
                hangUpWhen: () => um.ReadEvents().Any(e => e.Id == 1036));   // logged on: what this call is for
            Assert.True(after.Established, "baresip call not established after the restart\n" + after.Describe());
            var logged = await um.WaitForEventAsync(1036, null, HangGuard);
            Assert.Equal("1000", logged.Property("Extension"));

            // One server process throughout, and neither the PINs nor the store's password in its output.
            Assert.Single(um.ReadEvents(), e => e.Id == 1114);
            foreach (string secret in new[] { WrongPin, SubscriberFixtures.Pin, TempPostgres.Password })
            {
                SecretCheck.AssertAbsent(secret, um.EventsText(), "the events");
                SecretCheck.AssertAbsent(secret, um.ServerOutput, "the server's output");
            }
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    private Task<SippResult> MessageCallAsync(OpenUmProcess um, string extension, string ulaw, int pauseMs) =>
        Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, extension)
        {
            PauseMs = pauseMs,
            Timeout = TimeSpan.FromSeconds(60),
            Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
        }, output);

    private static void AssertCallSucceeded(SippResult call, string what, OpenUmProcess um) =>
        Assert.True(call.ExitCode == 0 && call.Successful == 1, $"{what} failed\n{call.Describe()}\n{um.EventsText()}\n{um.ServerOutput}");

    private static void WriteStoreSetting(string dataDir, string store)
    {
        string path = Path.Combine(dataDir, "store.conf");
        File.WriteAllText(path, "# shared configuration store\n" + store + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    // pg_ctl of the test's cluster, as the "postgres" user when root (PostgreSQL refuses to run as root).
    private async Task PgCtlAsync(string action, params string[] options)
    {
        string pgCtl = System.IO.Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin", "pg_ctl")).Where(File.Exists)
            .OrderBy(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out int v) ? v : 0).Last();
        string[] args = ["-D", Path.Combine(_postgres.WorkDir, "data"), "-w", "-t", "60", .. options, action];
        bool root = Environment.UserName == "root";
        var result = await ChildProcess.RunAsync(root ? "runuser" : pgCtl, root ? ["-u", "postgres", "--", pgCtl, .. args] : args,
            HangGuard, "/");
        Assert.True(result.ExitCode == 0, $"pg_ctl {action} failed\n{result.Describe()}\n{_postgres.LogTail()}");
        output.WriteLine($"pg_ctl {action}: done");
    }
}
