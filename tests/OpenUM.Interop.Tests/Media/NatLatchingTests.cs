using System.Net;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Media;

/// <summary>
/// Gateways behind NAT and multi-homed hosts: their SDP names one address, their RTP comes from another (here
/// 127.0.0.1, the address their SIP connection comes from). By default the server learns the source and records
/// it; a gateway set to SdpOnly is not heard, and the server says so and what to change.
/// </summary>
public sealed class NatLatchingTests(ITestOutputHelper output)
{
    // Covers greeting and beep (~7.9 s from the answer, ~6.9 s into the caller's audio, which starts 1 s later).
    private const double LeadInSeconds = 8;
    private const string Sentence = "Please call me back tomorrow morning at nine.";

    [Fact]
    public async Task SippWithAnSdpAddressElsewhereLeavesAMessage()
    {
        await using var network = await PrivateNetwork.CreateAsync(); // 192.0.2.250 is unreachable in it
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        // Not the default, so that event 2302 shows the setting reached the call.
        await um.CliOkAsync("server", "set", "--rtp-probation", "6");
        await um.StartAsync(network);
        var clip = await SpeechFixtures.GetClipAsync(Sentence, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-nat-").FullName;
        try
        {
            var hold = MediaCalls.StreamDelay + TimeSpan.FromSeconds(clip.Samples.Length / (double)RecordingCheck.Rate + 0.5);
            var (run, _) = await MediaCalls.StartElsewhereAsync(um, work, clip.WavPath, MediaCalls.ElsewhereAddress, hold, output, network: network);
            MediaCalls.AssertCallSucceeded(await run, um);

            string[] files = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(60));
            var mail = VoiceMailFile.Open(Assert.Single(files), OpenUmProcess.MailboxAddress, work);
            var a = await RecordingCheck.AssertHoldsAsync(mail, clip.Samples, clip, MediaCalls.GreetingAndBeep - MediaCalls.StreamDelay, um.EventsText());
            output.WriteLine($"recording vs what SIPp sent: {a}");

            var latched = Assert.Single(um.ReadEvents(), e => e.Id == 2302);
            Assert.StartsWith("127.0.0.1:", latched.Property("Source"), StringComparison.Ordinal);
            Assert.StartsWith(MediaCalls.ElsewhereAddress + ":", latched.Property("SdpRemote"), StringComparison.Ordinal);
            Assert.Equal("6", latched.Property("Probation"));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id is 2315 or 2318);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task AnSdpOnlyGatewayIsNotHeardAndTheServerSaysWhy()
    {
        await using var network = await PrivateNetwork.CreateAsync(); // 192.0.2.250 is unreachable in it
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("gateway", "set", "sipp", "--media-latching", "SdpOnly");
        var shown = await um.CliOkAsync("gateway", "get", "sipp");
        Assert.Contains("SdpOnly", shown.StdOut, StringComparison.Ordinal);
        await um.StartAsync(network);
        var clip = await SpeechFixtures.GetClipAsync(Sentence, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-nat-").FullName;
        try
        {
            // Hang up two seconds into the recording.
            var hold = MediaCalls.GreetingAndBeep + TimeSpan.FromSeconds(2);
            var (run, _) = await MediaCalls.StartElsewhereAsync(um, work, clip.WavPath, MediaCalls.ElsewhereAddress, hold, output, network: network);
            MediaCalls.AssertCallSucceeded(await run, um);

            var warning = await um.WaitForEventAsync(2315, null, TimeSpan.FromSeconds(30));
            output.WriteLine(warning.Raw);
            Assert.Equal("Warning", warning.Level);
            Assert.StartsWith("127.0.0.1:", warning.Property("Source"), StringComparison.Ordinal);
            Assert.Equal("SdpOnly", warning.Property("MediaLatching"));
            Assert.Contains("openum gateway set sipp --media-latching SignallingOrSdp", warning.Message, StringComparison.Ordinal);
            Assert.True(long.Parse(warning.Property("Count"), System.Globalization.CultureInfo.InvariantCulture) > 50, warning.Raw);

            // The recording heard nothing, so there is no message (2305 precedes the decision, 2003 ends the call).
            var stopped = Assert.Single(um.ReadEvents(), e => e.Id == 2305);
            Assert.Equal("00:00:00", stopped.Property("Duration"));
            await um.WaitForEventAsync(2003, null, TimeSpan.FromSeconds(30));
            Assert.Contains(um.ReadEvents(), e => e.Id == 2314 && e.Property("Source").StartsWith("127.0.0.1:", StringComparison.Ordinal));
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2302);
            await um.AssertCleanStopAsync();
            Assert.Empty(um.AllMaildirFiles());
            Assert.Empty(um.SpoolFiles());
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task BaresipAnnouncingItsRealInterfaceLeavesAMessage()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.StartAsync();
        var mic = await SpeechFixtures.GetClipAsync(Sentence, LeadInSeconds);
        string work = System.IO.Directory.CreateTempSubdirectory("openum-nat-baresip-").FullName;
        try
        {
            var holdFor = TimeSpan.FromSeconds(mic.Samples.Length / (double)RecordingCheck.Rate + 1);
            // Out of the box baresip puts its default interface's address in the SDP; SIP and RTP still use loopback.
            var call = await BaresipPhone.CallAsync($"sip:1000@127.0.0.1:{um.SipPort}", mic.WavPath, holdFor,
                Path.Combine(work, "heard.wav"), output, defaultInterface: true);
            Assert.True(call.Established, "baresip call not established\n" + call.Describe() + "\n" + um.EventsText());

            var latched = await um.WaitForEventAsync(2302, null, TimeSpan.FromSeconds(30));
            output.WriteLine($"baresip's SDP said {latched.Property("SdpRemote")}; its RTP came from {latched.Property("Source")}");
            var announced = IPEndPoint.Parse(latched.Property("SdpRemote")).Address;
            Assert.False(IPAddress.IsLoopback(announced),
                $"baresip announced {announced}: this host has no other interface, so the test cannot show a gateway whose SDP names another address than its RTP comes from");

            string[] files = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(60));
            var mail = VoiceMailFile.Open(Assert.Single(files), OpenUmProcess.MailboxAddress, work);
            short[] sent = [.. mic.Samples, .. new short[10 * RecordingCheck.Rate]]; // then the harness's silence
            var a = await RecordingCheck.AssertHoldsAsync(mail, sent, mic, MediaCalls.GreetingAndBeep, call.Describe());
            output.WriteLine($"recording vs what baresip sent: {a}");
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2315);
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
