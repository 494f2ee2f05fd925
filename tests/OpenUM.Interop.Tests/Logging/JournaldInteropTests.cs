using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Server.Logging;

namespace OpenUM.Interop.Tests.Logging;

/// <summary>
/// `openum serve --log-target journald` (and `both`: the journal and events.jsonl) and CLI commands against the real
/// systemd-journald, read back with journalctl.
/// </summary>
public sealed class JournaldInteropTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    internal static string OpenUmDll => Path.Combine(AppContext.BaseDirectory, "openum.dll");

    internal static string DotNet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [Theory]
    [InlineData("journald")]
    [InlineData("both")]
    public async Task ServeAndCommandsLogToTheJournalAndEventsReadsItBack(string target)
    {
        await using var journal = await PrivateJournald.StartAsync(output);
        await using var um = new OpenUmProcess(output);
        int sipPort = TestPorts.FreeListenerPort();
        var rtp = TestPorts.RtpRange(50);
        await using var serve = ChildProcess.Start(Peers.Require("nsenter", "util-linux"), journal.Inside(
            DotNet, OpenUmDll, "serve", "--log-target", target, "--sip-tcp-port", sipPort.ToString(),
            "--rtp-ports", $"{rtp.First}-{rtp.Last}", "--listen-address", "127.0.0.1", "--data-dir", um.DataDir));
        string ServeOutput() => $"--- serve stdout ---\n{serve.StdOut}\n--- stderr ---\n{serve.StdErr}";

        var listening = await journal.WaitForAsync(1114, HangGuard);
        output.WriteLine("1114 entry: " + listening.GetRawText());
        Assert.Equal("6", PrivateJournald.Field(listening, "PRIORITY"));
        Assert.Equal("openum", PrivateJournald.Field(listening, "SYSLOG_IDENTIFIER"));
        Assert.Equal("StartingMode", PrivateJournald.Field(listening, "OPENUM_EVENT_NAME"));
        Assert.Equal("1114", PrivateJournald.Field(listening, "EVENT_ID"));
        Assert.Equal(sipPort.ToString(), PrivateJournald.Field(listening, "OPENUM_TCP_PORT"));
        Assert.Contains($"SIP TCP {sipPort}", PrivateJournald.Field(listening, "MESSAGE"));
        Assert.Equal("journal", PrivateJournald.Field(listening, "_TRANSPORT")); // the native protocol, not captured output
        Assert.Equal(serve.Id.ToString(), PrivateJournald.Field(listening, "_PID"));

        // A CLI command's audit event follows the server into the journal (the data directory says where it logs).
        var change = await journal.RunInsideAsync(HangGuard, DotNet, OpenUmDll, "dialplan", "new", "--name", "Journal",
            "--number-of-digits-in-extension", "4", "--data-dir", um.DataDir);
        Assert.True(change.ExitCode == 0, change.Describe());
        var audit = await journal.WaitForAsync(2100, HangGuard, e => PrivateJournald.Field(e, "OPENUM_NAME") == "Journal");
        Assert.Equal("0", PrivateJournald.Field(audit, "_UID")); // who, as the kernel vouches for it
        Assert.Contains("\"numberOfDigitsInExtension\":4", PrivateJournald.Field(audit, "OPENUM_AFTER"));

        // `openum events` reads the journal by default once the server logs there only (events.jsonl under both).
        var events = await journal.RunInsideAsync(HangGuard, DotNet, OpenUmDll, "events", "--json", "--last", "0", "--data-dir", um.DataDir);
        Assert.True(events.ExitCode == 0, events.Describe());
        var shown = JsonDocument.Parse(events.StdOut).RootElement.EnumerateArray().ToList();
        var shownListening = Assert.Single(shown, e => e.GetProperty("id").GetInt32() == 1114);
        // From the journal properties come back as text; from events.jsonl as they were (a number).
        Assert.Equal(sipPort.ToString(), shownListening.GetProperty("properties").GetProperty("tcpPort").GetRawText().Trim('"'));
        Assert.Equal("Information", shownListening.GetProperty("level").GetString());
        Assert.Contains(shown, e => e.GetProperty("id").GetInt32() == 2100);
        var only = await journal.RunInsideAsync(HangGuard, DotNet, OpenUmDll, "events", "--json", "--id", "2100", "--data-dir", um.DataDir);
        Assert.All(JsonDocument.Parse(only.StdOut).RootElement.EnumerateArray(), e => Assert.Equal(2100, e.GetProperty("id").GetInt32()));

        serve.Terminate();
        Assert.True(await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)), "serve did not stop on SIGTERM\n" + ServeOutput());
        Assert.True(serve.ExitCode == 0, $"serve exited with {serve.ExitCode}\n{ServeOutput()}");
        await journal.WaitForAsync(1039, HangGuard);

        // The journal replaces the console; events.jsonl is written under both only, with the server's and the command's events.
        Assert.DoesNotContain("Listening in", serve.StdOut + serve.StdErr);
        if (target == "journald")
        {
            Assert.False(EventLogFiles.Exist(Path.Combine(um.DataDir, "events.jsonl")), "events.jsonl was written in journald mode");
            // Outside the namespace there is no journal socket: `openum events` says what to do instead of showing nothing.
            var outside = await um.CliAsync("events");
            Assert.Equal(1, outside.ExitCode);
            Assert.Contains("journalctl -t openum", outside.StdErr);
        }
        else
        {
            var inFile = um.ReadEvents();
            Assert.Contains(inFile, e => e.Id == 1114 && e.Property("tcpPort") == sipPort.ToString());
            Assert.Contains(inFile, e => e.Id == 2100 && e.Property("name") == "Journal");
            Assert.Contains(inFile, e => e.Id == 1039);
            // events.jsonl is where `openum events` reads then, also outside the journal's namespace.
            var outside = await um.CliAsync("events", "--id", "2100", "--json");
            Assert.True(outside.ExitCode == 0, outside.Describe());
            Assert.Single(JsonDocument.Parse(outside.StdOut).RootElement.EnumerateArray());
        }
    }

    [Fact]
    public async Task MultiLineValuesExceptionsAndOversizeEntriesArriveAsSent()
    {
        await using var journal = await PrivateJournald.StartAsync(output);
        var fallback = new StandardErrorLoggerProvider(TimeProvider.System, StandardErrorFormat.Simple, "no other log");
        using (var provider = new JournaldLoggerProvider(journal.SocketFromOutside, fallback, "standard error", TimeProvider.System))
        {
            var logger = provider.CreateLogger("OpenUM.Interop");
            Exception error;
            try { throw new InvalidOperationException("disk on fire"); } catch (InvalidOperationException e) { error = e; }
            logger.Log(LogLevel.Error, new EventId(9101, "InteropMultiLine"), State(("Detail", "first line\nsecond line\n\tthird"), ("Count", 3)),
                error, (_, _) => "two\nlines");
            string huge = new('y', 300_000);
            logger.Log(LogLevel.Warning, new EventId(9102, "InteropOversize"), State(("A", huge), ("B", huge), ("C", huge)),
                null, (_, _) => "oversize");
        }

        var multi = await journal.WaitForAsync(9101, HangGuard);
        Assert.Equal("first line\nsecond line\n\tthird", PrivateJournald.Field(multi, "OPENUM_DETAIL"));
        Assert.Equal("3", PrivateJournald.Field(multi, "OPENUM_COUNT"));
        Assert.Equal("3", PrivateJournald.Field(multi, "PRIORITY"));
        Assert.StartsWith("System.InvalidOperationException: disk on fire", PrivateJournald.Field(multi, "OPENUM_EXCEPTION"));
        Assert.StartsWith("two\nlines\nSystem.InvalidOperationException: disk on fire", PrivateJournald.Field(multi, "MESSAGE"));

        var big = await journal.WaitForAsync(9102, HangGuard);
        foreach (string field in new[] { "OPENUM_A", "OPENUM_B", "OPENUM_C" })
        {
            string value = PrivateJournald.Field(big, field);
            Assert.EndsWith(" [truncated by openum: 300000 bytes]", value);
            Assert.StartsWith("yyyy", value);
        }
        Assert.Equal("4", PrivateJournald.Field(big, "PRIORITY"));
    }

    private static List<KeyValuePair<string, object?>> State(params (string Key, object? Value)[] pairs) =>
        [.. pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value))];
}
