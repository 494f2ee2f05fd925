using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Delivery;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// A voicemail call whose recording cannot be written: the caller hears the normal end (the server says goodbye and
/// hangs up), the description handed to the spool before the beep still becomes a message, marked incomplete.
/// </summary>
public sealed class RecordingFailureCallTests : IAsyncLifetime
{
    private static int s_nextRange = 28000;
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-recfail-calls-").FullName;
    private readonly int _rtpFirst = Interlocked.Add(ref s_nextRange, 100) - 100;
    private readonly FakeLogger _events = new();
    private SipUserAgent _server = null!;
    private CallController _controller = null!;
    private MediaClock _clock = null!;
    private VoiceMessageSpool _spool = null!;
    private RedirectingSpool _redirect = null!;

    private static readonly ConfigurationSnapshot Config = new(1,
        [new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4 }],
        [new IpGateway { Name = "gw", Address = "127.0.0.1" }],
        [new HuntGroup { Name = "gw-Test", IpGateway = "gw", DialPlan = "Test" }],
        [new UmServer { Name = "um1" }],
        [new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test", DisplayName = "User 1000" }]);

    public async Task InitializeAsync()
    {
        _server = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 }, TimeProvider.System, NullLogger.Instance);
        _clock = new MediaClock(TimeProvider.System);
        var peers = new TrustedPeers(NullLogger.Instance);
        await peers.RebuildAsync(Config, CancellationToken.None);
        _spool = new VoiceMessageSpool(Path.Combine(_root, "spool"), new MaildirSink(Path.Combine(_root, "maildir")), _events);
        _redirect = new RedirectingSpool(_spool);
        _controller = new CallController(() => Config, peers, new RtpPortRange(_rtpFirst, _rtpFirst + 49), _clock, _server.Wheel,
            _redirect, PromptLibrary.Default, new CallControllerOptions("um1", _root), TimeProvider.System, _events);
        _server.Admit = _controller.Admit;
        _server.OnIncomingCall = _controller.OnIncomingCall;
        await _server.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        await _server.DisposeAsync();
        await _clock.DisposeAsync();
        await _spool.DisposeAsync();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task ARecordingFileThatCannotBeCreatedEndsTheCallNormallyAndStillLeavesAMessage()
    {
        // The audio goes where no file can be created (what a full or read-only data directory does to open(2)).
        _redirect.AudioPath = id => Path.Combine(_root, "missing-directory", id + ".wav");

        // The caller only listens: greeting, beep, then (nothing can be recorded) goodbye and the server's BYE.
        await using var client = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null },
            TimeProvider.System, NullLogger.Instance);
        await client.StartAsync(CancellationToken.None);
        var endpoint = _server.LocalEndPoints[0];
        var offer = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Loopback, _rtpFirst + 60).Sdp;
        var answer = await client.InviteAsync(new OutgoingCallRequest(endpoint, SipUri.Parse($"sip:1000@127.0.0.1:{endpoint.Port};transport=tcp"),
            new SipNameAddress(SipUri.Parse("sip:5551234@127.0.0.1"), "Caller"), new SipNameAddress(SipUri.Parse("sip:1000@127.0.0.1")),
            System.Text.Encoding.UTF8.GetBytes(offer.ToString())), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, answer.StatusCode);
        var end = await answer.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);

        var submitted = await _redirect.Submitted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, submitted.Duration);
        Assert.Contains("could not be created", submitted.Truncated);
        Assert.DoesNotContain(_events.Lines(), l => l.StartsWith("2005 ", StringComparison.Ordinal)); // not a failed call

        string inbox = Path.Combine(_root, "maildir", "user1000@example.test", "new");
        await TestWait.UntilAsync(() => System.IO.Directory.Exists(inbox) && System.IO.Directory.EnumerateFiles(inbox).Any(), "the message");
        using var message = await MimeKit.MimeMessage.LoadAsync(System.IO.Directory.EnumerateFiles(inbox).Single());
        Assert.Contains("could not be created", message.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Empty(message.Attachments);
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(_root, "spool")));
    }

    [Fact]
    public async Task ARecordedMessageIsDescribedInTheSpoolBeforeItsAudioAndLeavesNoFileOpen()
    {
        var test = new ConnectivityTest(TimeProvider.System, NullLogger.Instance);
        var outcome = await test.RunAsync(_server.LocalEndPoints[0], "1000", new RtpPortRange(_rtpFirst + 60, _rtpFirst + 99), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(outcome.EntireOperationSuccess, outcome.ReasonForFailure);
        Assert.True(_redirect.DescribedBeforeAudio, "the description was on disk when the recording began, its audio not yet");
        var submitted = await _redirect.Submitted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(submitted.Truncated);
        Assert.True(submitted.Duration > TimeSpan.Zero);
        string inbox = Path.Combine(_root, "maildir", "user1000@example.test", "new");
        await TestWait.UntilAsync(() => System.IO.Directory.Exists(inbox) && System.IO.Directory.EnumerateFiles(inbox).Any(), "the message");
        Assert.DoesNotContain(OpenFiles(), f => f.StartsWith(_root, StringComparison.Ordinal));
    }

    private static List<string> OpenFiles()
    {
        var files = new List<string>();
        foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target) files.Add(target);
            }
            catch (IOException)
            {
                // closed while listing
            }
        }
        return files;
    }

    /// <summary>The real spool, with the audio path optionally moved and what the call hands over recorded.</summary>
    private sealed class RedirectingSpool(IVoiceMessageSpool inner) : IVoiceMessageSpool
    {
        public Func<string, string>? AudioPath { get; set; }

        public TaskCompletionSource<RecordingOutcome> Submitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool DescribedBeforeAudio { get; private set; }

        public async Task<SpooledRecording> BeginAsync(VoiceMessage description)
        {
            var recording = await inner.BeginAsync(description);
            DescribedBeforeAudio = File.Exists(Path.ChangeExtension(recording.AudioPath, ".json")) && !File.Exists(recording.AudioPath);
            return AudioPath is { } move ? recording with { AudioPath = move(recording.Id) } : recording;
        }

        public async Task SubmitAsync(SpooledRecording recording, RecordingOutcome outcome, CancellationToken ct)
        {
            await inner.SubmitAsync(recording, outcome, ct);
            Submitted.TrySetResult(outcome);
        }
    }
}
