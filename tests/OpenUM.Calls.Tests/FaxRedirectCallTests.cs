using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// A fax machine on a voice mail call: its calling tone (CNG) heard during the greeting or the recording ends them, no
/// voice message is left, and the call is referred to the mailbox policy's fax server or hung up on (2075-2077). The
/// gateway here is the test's own user agent, which answers a REFER 405 (it takes none): the accepted REFER is
/// shown with SIPp in the interop tests (FaxRedirectTests).
/// </summary>
public sealed class FaxRedirectCallTests : IAsyncLifetime
{
    private const string FaxUri = "sip:fax@127.0.0.1:5099;transport=tcp";
    private const string ShortGreeting = "short.wav";
    private CallControllerHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await CallControllerHarness.StartAsync(Configure());
        // A 0.2 s greeting, so the recording starts early (the default one lasts about 7 s).
        using var wav = new MemoryStream();
        using (var writer = new WavWriter(wav))
        {
            writer.WriteSilence(1600);
            writer.Complete();
        }
        GreetingStore.Store(_harness.Root, ShortGreeting, wav.ToArray());
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static ConfigurationSnapshot Configure(bool faxEnabled = true, bool allowFax = true, string? faxServerUri = FaxUri,
        bool shortGreeting = false, bool policy = true) => new(1,
        [CallControllerHarness.Plan with { FaxEnabled = faxEnabled }],
        [CallControllerHarness.Gateway],
        [new HuntGroup { Name = "gw-Test", IpGateway = "gw", DialPlan = "Test" }],
        [CallControllerHarness.Server],
        [new Mailbox
        {
            Extension = CallControllerHarness.Extension, DialPlan = "Test", EmailAddress = CallControllerHarness.EmailAddress,
            DisplayName = "User 1000", MailboxPolicy = policy ? "Fax" : null,
            GreetingFile = shortGreeting ? GreetingStore.FolderName + "/" + ShortGreeting : null,
        }],
        [new MailboxPolicy { Name = "Fax", DialPlan = "Test", AllowFax = allowFax, FaxServerUri = faxServerUri }]);

    [Fact]
    public async Task WithoutAFaxServerTheCallIsHungUpDuringTheGreetingAndNoMessageIsLeft()
    {
        _harness.Configuration = Configure(policy: false); // the default policy: fax allowed, no server
        var (call, client) = await AnswerAsync();
        await using var _ = client;
        using var rtp = new CallerAudio(call);
        rtp.Send(CngBurst());

        var end = await call.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        string line = Line(2076);
        Assert.Contains("during the greeting", line, StringComparison.Ordinal);
        Assert.Contains("the mailbox has no mailbox policy, so no fax server (openum mailbox set 1000 --mailbox-policy <a policy with --fax-server-uri>)",
            line, StringComparison.Ordinal);
        await AssertNoMessageAsync();
    }

    [Fact]
    public async Task AFaxHeardDuringTheRecordingDiscardsWhatWasRecorded()
    {
        _harness.Configuration = Configure(faxServerUri: null, shortGreeting: true);
        var (call, client) = await AnswerAsync();
        await using var _ = client;
        using var rtp = new CallerAudio(call);
        await TestWait.UntilAsync(() => State() == ActiveCallState.Recording, "the recording");
        // Some of the caller's audio lands in the recording first, then the tone.
        rtp.Send(Tone(440, 0.5));
        await TestWait.UntilAsync(() => System.IO.Directory.GetFiles(_harness.SpoolDirectory, "*.wav").Length == 1, "the recording file");
        rtp.Send(CngBurst());

        var end = await call.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        string line = Line(2076);
        Assert.Contains("during the recording", line, StringComparison.Ordinal);
        Assert.Contains("mailbox policy 'Fax' names no fax server (openum mailboxpolicy set Fax --fax-server-uri sip:...)", line, StringComparison.Ordinal);
        await AssertNoMessageAsync();
    }

    [Fact]
    public async Task AFaxNotAllowedByThePolicyIsHungUpOnEvenWithAFaxServer()
    {
        _harness.Configuration = Configure(allowFax: false);
        var (call, client) = await AnswerAsync();
        await using var _ = client;
        using var rtp = new CallerAudio(call);
        rtp.Send(CngBurst());

        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30))).Reason);
        Assert.Contains("mailbox policy 'Fax' does not allow fax (openum mailboxpolicy set --allow-fax true)", Line(2076), StringComparison.Ordinal);
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("2075 ", StringComparison.Ordinal) || l.StartsWith("2077 ", StringComparison.Ordinal));
        await AssertNoMessageAsync();
    }

    [Fact]
    public async Task ARefusedReferIsReportedAndTheCallHungUpWithoutAMessage()
    {
        // The gateway (this test's user agent, which takes no REFER) answers it 405 Method Not Allowed.
        var (call, client) = await AnswerAsync();
        await using var _ = client;
        using var rtp = new CallerAudio(call);
        rtp.Send(CngBurst());

        Assert.Equal(SipDialogEndReason.RemoteBye, (await call.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30))).Reason);
        string line = Line(2077);
        Assert.Contains($"the REFER to the fax server {FaxUri} failed (REFER answered 405 Method Not Allowed)", line, StringComparison.Ordinal);
        Assert.Contains("during the greeting", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("2075 ", StringComparison.Ordinal));
        await AssertNoMessageAsync();
    }

    [Fact]
    public async Task ADialPlanWithoutFaxRecordsTheToneAsAMessage()
    {
        // FaxEnabled false: nobody listens for the tone; what the fax sends is a voice message like any sound.
        _harness.Configuration = Configure(faxEnabled: false, shortGreeting: true);
        var (call, client) = await AnswerAsync();
        await using var _ = client;
        using var rtp = new CallerAudio(call);
        await TestWait.UntilAsync(() => State() == ActiveCallState.Recording, "the recording");
        rtp.Send(CngBurst());
        await TestWait.UntilAsync(() => System.IO.Directory.GetFiles(_harness.SpoolDirectory, "*.wav").Length == 1, "the recording file");
        await call.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));

        await TestWait.UntilAsync(() => _harness.Controller.ActiveCalls == 0, "the end of the call");
        await TestWait.UntilAsync(() => System.IO.Directory.Exists(_harness.Inbox) && System.IO.Directory.EnumerateFiles(_harness.Inbox).Any(), "the message");
        Assert.DoesNotContain(_harness.Events.Lines(), l => Regex.IsMatch(l, "^207[5-7] "));
    }

    private async Task<(OutgoingCallResult Call, SipUserAgent Client)> AnswerAsync()
    {
        var (call, client) = await _harness.CallAsync(CallControllerHarness.Extension);
        Assert.Equal(200, call.StatusCode);
        return (call, client);
    }

    private ActiveCallState? State() => _harness.Controller.Calls.Snapshot().FirstOrDefault()?.State;

    private string Line(int id)
    {
        string? line = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((line = _harness.Events.Lines().FirstOrDefault(l => l.StartsWith($"{id} ", StringComparison.Ordinal))) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no event {id}: {string.Join('\n', _harness.Events.Lines())}");
            Thread.Sleep(20);
        }
        return line;
    }

    // The call's handler has finished (message handed over or discarded): nothing was delivered, nothing is left.
    private async Task AssertNoMessageAsync()
    {
        await TestWait.UntilAsync(() => _harness.Controller.ActiveCalls == 0, "the end of the call");
        Assert.False(System.IO.Directory.Exists(_harness.Inbox) && System.IO.Directory.EnumerateFiles(_harness.Inbox).Any(), "a voice message was delivered");
        Assert.Empty(System.IO.Directory.GetFiles(_harness.SpoolDirectory));
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("2001 ", StringComparison.Ordinal));
    }

    // One CNG cycle's tone (0.6 s of 1100 Hz at about -15 dBm0), as µ-law.
    private static byte[] CngBurst() => Tone(1100, 0.6);

    private static byte[] Tone(int hz, double seconds)
    {
        var ulaw = new byte[(int)(seconds * 8000)];
        for (int i = 0; i < ulaw.Length; i++)
            ulaw[i] = G711.LinearToMuLaw((short)(4000 * Math.Sin(2 * Math.PI * hz * i / 8000)));
        return ulaw;
    }

    /// <summary>The caller's RTP (PCMU, 20 ms packets, one sequence across sends) to the server's port from the answer.</summary>
    private sealed class CallerAudio : IDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly IPEndPoint _server;
        private ushort _seq = 1;
        private uint _ts;

        public CallerAudio(OutgoingCallResult call)
        {
            var m = Regex.Match(Encoding.UTF8.GetString(call.FinalResponse!.Body.Span), @"m=audio (\d+) ");
            Assert.True(m.Success, "no m=audio in the answer");
            _server = new IPEndPoint(IPAddress.Loopback, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        public void Send(byte[] ulaw)
        {
            var packet = new byte[12 + 160];
            for (int at = 0; at + 160 <= ulaw.Length; at += 160)
            {
                RtpHeader.Write(packet, 0, false, _seq++, _ts, 0xFA7);
                _ts += 160;
                ulaw.AsSpan(at, 160).CopyTo(packet.AsSpan(12));
                _udp.Send(packet, packet.Length, _server);
            }
        }

        public void Dispose() => _udp.Dispose();
    }
}
