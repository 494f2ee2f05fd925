using System.Text.Json;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Status;

/// <summary>
/// `openum status --json` and `openum calls list --json` while 20 SIPp calls are held up: two gateways (127.0.0.1 and
/// 127.0.0.2), two extensions; the counts equal SIPp's calls and every call shows its own gateway and extension. The
/// calls end with the server's BYE at its stop, so nothing depends on how long the CLI takes, and that stop is graceful:
/// each recording in progress is finished and delivered.
/// </summary>
public sealed partial class ActiveCallsStatusTests(ITestOutputHelper output)
{
    private const int CallsPerGateway = 10;
    private static readonly string[] Extensions = ["1000", "1001"];

    [Fact]
    public async Task StatusAndCallsListDuringTwentyHeldSippCalls()
    {
        await using var um = new OpenUmProcess(output);
        await um.CliOkAsync("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4");
        await um.CliOkAsync("gateway", "new", "--name", "gw-a", "--address", "127.0.0.1", "--dial-plan", "Test");
        await um.CliOkAsync("gateway", "new", "--name", "gw-b", "--address", "127.0.0.2", "--dial-plan", "Test");
        string work = System.IO.Directory.CreateTempSubdirectory("openum-status-").FullName;
        try
        {
            // A short greeting (0.4 s of silence) brings every call to its recording before the server is asked and stopped.
            string greeting = Path.Combine(work, "greeting.wav");
            PcmWav.WriteMono(greeting, new short[3200], 8000);
            foreach (string extension in Extensions)
                await um.CliOkAsync("mailbox", "new", "--extension", extension, "--dial-plan", "Test", "--email", $"user{extension}@example.test",
                    "--greeting", greeting);
            await um.StartAsync();

            string ulaw = Path.Combine(work, "caller.ulaw");
            await File.WriteAllBytesAsync(ulaw, StorageChecks.MuLawTone(2));
            // Calls alternate between the two extensions, in SIPp's call order.
            string csv = Path.Combine(work, "extensions.csv");
            await File.WriteAllTextAsync(csv, "SEQUENTIAL\n" + string.Concat(Extensions.Select(e => e + ";\n")));
            Task<SippResult> Hold(string localIp) => Sipp.RunAsync(new SippOptions("caller-held.xml", um.SipPort, "held")
            {
                LocalIp = localIp,
                Calls = CallsPerGateway,
                Limit = CallsPerGateway,
                Rate = CallsPerGateway,
                Timeout = TimeSpan.FromSeconds(90),
                InjectionFile = "extensions.csv",
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw, ["extensions.csv"] = csv },
            }, output);
            var fromA = Hold("127.0.0.1");
            var fromB = Hold("127.0.0.2");

            // Every call recording (the spool holds a recording from the beep on): now ask the server.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (um.SpoolFiles().Count(f => f.EndsWith(".wav", StringComparison.Ordinal)) < 2 * CallsPerGateway)
            {
                Assert.True(DateTime.UtcNow < deadline && !fromA.IsCompleted && !fromB.IsCompleted,
                    $"not all {2 * CallsPerGateway} calls were recording while SIPp held them\n{um.EventsText()}\n{um.ServerOutput}");
                await Task.Delay(100);
            }
            var status = JsonDocument.Parse((await um.CliOkAsync("status", "--json")).StdOut).RootElement;
            var calls = JsonDocument.Parse((await um.CliOkAsync("calls", "list", "--json")).StdOut).RootElement;
            Assert.False(fromA.IsCompleted || fromB.IsCompleted, "a SIPp run ended while the calls were to be held\n" + um.EventsText());

            // The server's stop ends every call with a BYE, which SIPp answers: that is SIPp's count of calls.
            await um.AssertCleanStopAsync();
            var (a, b) = (await fromA, await fromB);
            Assert.True(a.ExitCode == 0 && a.Successful == CallsPerGateway, "gateway gw-a's calls\n" + a.Describe());
            Assert.True(b.ExitCode == 0 && b.Successful == CallsPerGateway, "gateway gw-b's calls\n" + b.Describe());
            int sippCalls = a.Successful + b.Successful;
            // A graceful stop: every recording was finished and handed to delivery (the maildir here), none left behind.
            Assert.Contains(um.ReadEvents(), e => e.Id == 2091 && e.Property("activeCalls") == sippCalls.ToString());
            Assert.Equal(sippCalls, Extensions.Sum(e => um.DeliveredFiles($"user{e}@example.test").Length));
            Assert.True(um.SpoolFiles().Length == 0, "left in the spool at the stop:\n" + string.Join('\n', um.SpoolFiles()));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2092);

            Assert.Equal(sippCalls, status.GetProperty("activeCalls").GetInt32());
            Assert.Equal("TCP", status.GetProperty("mode").GetString());
            Assert.Equal(um.SipPort, status.GetProperty("sipTcpPort").GetInt32());
            Assert.Equal(um.ServerPid, status.GetProperty("processId").GetInt32());
            Assert.True(status.GetProperty("uptimeSeconds").GetDouble() > 0, "uptimeSeconds: " + status);

            // What SIPp sent: each call's Call-ID, the extension it dialled, and the gateway its address is.
            var expected = Invites(a.MessageLog).Select(i => (i.CallId, Gateway: "gw-a", i.Extension))
                .Concat(Invites(b.MessageLog).Select(i => (i.CallId, Gateway: "gw-b", i.Extension)))
                .ToDictionary(i => i.CallId);
            Assert.Equal(sippCalls, expected.Count);
            Assert.Equal(sippCalls, calls.GetArrayLength());
            foreach (var call in calls.EnumerateArray())
            {
                string callId = call.GetProperty("callId").GetString()!;
                Assert.True(expected.TryGetValue(callId, out var sent), $"calls list shows {callId}, which SIPp did not place: {call}");
                Assert.Equal(sent.Gateway, call.GetProperty("gateway").GetString());
                Assert.Equal(sent.Extension, call.GetProperty("extension").GetString());
                Assert.Equal("Test", call.GetProperty("dialPlan").GetString());
                Assert.Equal("PCMU", call.GetProperty("media").GetString());
                Assert.Equal(JsonValueKind.Null, call.GetProperty("srtpSuite").ValueKind);
                Assert.Equal("Recording", call.GetProperty("state").GetString());
                Assert.True(call.GetProperty("durationSeconds").GetDouble() > 0, "durationSeconds: " + call);
                expected.Remove(callId);
            }
            Assert.Empty(expected);
            // Both extensions and both gateways were really exercised.
            Assert.Equal(2, calls.EnumerateArray().Select(c => c.GetProperty("extension").GetString()).Distinct().Count());
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The INVITEs in SIPp's message log: Call-ID and the Request-URI's user.</summary>
    private static IEnumerable<(string CallId, string Extension)> Invites(string messageLog) =>
        InviteRegex().Matches(messageLog).Select(m => (m.Groups["callid"].Value.Trim(), m.Groups["ext"].Value))
            .DistinctBy(i => i.Item1);

    [GeneratedRegex(@"INVITE sip:(?<ext>\d+)@[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?\s*Call-ID:\s*(?<callid>[^\r\n]+)")]
    private static partial Regex InviteRegex();
}
