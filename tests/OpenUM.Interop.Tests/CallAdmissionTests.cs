using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests;

/// <summary>Calls the server must not turn into messages: unknown peers, unknown mailboxes, over the call limit.</summary>
public sealed class CallAdmissionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UnknownPeerRefused()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();   // the only gateway is 127.0.0.1
        await um.StartAsync();

        // The whole of 127/8 is loopback on Linux: 127.0.0.2 reaches the server but is no gateway.
        var sipp = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", um.SipPort, "1000")
        {
            LocalIp = "127.0.0.2",
            Timeout = TimeSpan.FromSeconds(15),
        }, output);
        string context = $"{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}";
        Assert.True(sipp.ExitCode != 0, "SIPp reports success for a call from an unknown peer\n" + context);
        Assert.DoesNotContain(sipp.Received(), line => line.StartsWith("SIP/2.0 2", StringComparison.Ordinal));

        var refused = await um.WaitForEventAsync(1021, e => e.Property("remoteAddress") == "127.0.0.2", TimeSpan.FromSeconds(20));
        output.WriteLine("refusal event: " + refused.Raw);
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2002);
        Assert.Empty(um.AllMaildirFiles());
        await um.AssertCleanStopAsync();
    }

    [Fact]
    public async Task UnknownMailbox()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.StartAsync();

        // The SDP points at our own RTP port, so we hear what the server plays.
        using var heard = new RtpSink();
        var sipp = await Sipp.RunAsync(new SippOptions("caller-awaits-bye.xml", um.SipPort, "9999")
        {
            Timeout = TimeSpan.FromSeconds(60),
            Keys = new Dictionary<string, string> { ["rtp_port"] = heard.Port.ToString() },
        }, output);
        string context = $"{sipp.Describe()}\n{um.EventsText()}\n{um.ServerOutput}";
        Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1,
            "the call to 9999 was not answered and then ended by the server's BYE\n" + context);
        var received = sipp.Received();
        Assert.Contains(received, l => l.StartsWith("SIP/2.0 200", StringComparison.Ordinal));
        Assert.Contains(received, l => l.StartsWith("BYE ", StringComparison.Ordinal));

        short[] audio = heard.Audio();
        short[] prompt = ExpectedPrompts.Load("no-mailbox");
        var a = AudioCompare.Align(audio, prompt, RecordingCheck.Rate, TimeSpan.Zero);
        output.WriteLine($"heard {heard.PacketCount} packets; no-mailbox prompt: {a}");
        Assert.True(a.Correlation > AudioCompare.SameAudioThreshold,
            $"the caller did not hear the no-mailbox prompt ({heard.PacketCount} RTP packets, {a})\n{context}");

        await um.WaitForEventAsync(2003, null, TimeSpan.FromSeconds(20));
        Assert.Contains(um.ReadEvents(), e => e.Id == 1109);
        Assert.Empty(um.AllMaildirFiles());
        Assert.DoesNotContain(um.ReadEvents(), e => e.Id == 2001);
        await um.AssertCleanStopAsync();
    }

    [Fact]
    public async Task OverLimit()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("server", "set", "--max-calls-allowed", "1");
        await um.StartAsync();

        // Call 1 holds the only slot: it sends no audio, so after greeting and beep the recording ends on
        // the idle timeout and the server says goodbye and hangs up (the scenario waits for that BYE).
        using var sink1 = new RtpSink();
        var holder = Sipp.RunAsync(new SippOptions("caller-awaits-bye.xml", um.SipPort, "1000")
        {
            Timeout = TimeSpan.FromSeconds(90),
            Keys = new Dictionary<string, string> { ["rtp_port"] = sink1.Port.ToString() },
        }, output);
        await um.WaitForEventAsync(2002, null, TimeSpan.FromSeconds(30));
        Assert.False(holder.IsCompleted, "the first call ended before the second one was tried\n" + um.EventsText());

        var second = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", um.SipPort, "1000")
        {
            Timeout = TimeSpan.FromSeconds(30),
        }, output);
        Assert.False(holder.IsCompleted, "the first call ended while the second one was tried: the test proves nothing\n" + um.EventsText());
        string context = $"{second.Describe()}\n{um.EventsText()}\n{um.ServerOutput}";
        Assert.True(second.ExitCode == 0 && second.Successful == 1, "the call over the limit was not rejected\n" + context);
        Assert.Contains(second.Received(), l => l.StartsWith("SIP/2.0 503", StringComparison.Ordinal));

        var first = await holder;
        Assert.True(first.ExitCode == 0 && first.Successful == 1,
            $"the first call did not end normally\n{first.Describe()}\n{um.EventsText()}");

        // The slot is free again: a third call is answered (9999 hears a prompt and is hung up on).
        using var sink3 = new RtpSink();
        var third = await Sipp.RunAsync(new SippOptions("caller-awaits-bye.xml", um.SipPort, "9999")
        {
            Timeout = TimeSpan.FromSeconds(60),
            Keys = new Dictionary<string, string> { ["rtp_port"] = sink3.Port.ToString() },
        }, output);
        Assert.True(third.ExitCode == 0 && third.Successful == 1,
            $"a call after the first one ended was not answered\n{third.Describe()}\n{um.EventsText()}");
        await um.AssertCleanStopAsync();
    }
}
