using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.Tests.Harness;

/// <summary>
/// A CallController as the server runs it, on loopback: its own data root (spool, maildir), RTP ports, media clock,
/// SIP user agent and a <see cref="FakeLogger"/>; and the gateway's side of a call. Disposing it removes all of that.
/// </summary>
internal sealed class CallControllerHarness : IAsyncDisposable
{
    /// <summary>The one mailbox of <see cref="Snapshot"/>.</summary>
    public const string Extension = "1000";

    /// <summary>Where the mailbox's messages are delivered.</summary>
    public const string EmailAddress = "user1000@example.test";

    // One counter for every test class (they run in parallel): each harness gets 100 ports of its own, the first 50
    // for the server's RTP, the rest for the gateway's side (an SDP offer, a connectivity test).
    private static int s_nextRange = 24000;

    private readonly SipUserAgent _server;
    private readonly MediaClock _clock;
    private readonly VoiceMessageSpool _spool;
    private readonly SqliteConfigurationStore? _store;

    /// <summary>The dial plan of <see cref="Snapshot"/> (change it with <c>with</c>).</summary>
    public static DialPlan Plan { get; } = new() { Name = "Test", NumberOfDigitsInExtension = 4 };

    /// <summary>The gateway of <see cref="Snapshot"/>: this host, trusted.</summary>
    public static IpGateway Gateway { get; } = new() { Name = "gw", Address = "127.0.0.1" };

    /// <summary>The server of <see cref="Snapshot"/>, named as the controller is.</summary>
    public static UmServer Server { get; } = new() { Name = "um1" };

    /// <summary>One dial plan reached from one gateway, one server and mailbox 1000; each part replaceable.</summary>
    public static ConfigurationSnapshot Snapshot(DialPlan? plan = null, IpGateway? gateway = null, UmServer? server = null) => new(1,
        [plan ?? Plan],
        [gateway ?? Gateway],
        [new HuntGroup { Name = "gw-Test", IpGateway = "gw", DialPlan = "Test" }],
        [server ?? Server],
        [new Mailbox { Extension = Extension, DialPlan = "Test", EmailAddress = EmailAddress, DisplayName = "User 1000" }]);

    private CallControllerHarness(ConfigurationSnapshot configuration, Func<VoiceMessageSpool, IVoiceMessageSpool>? spool, IStorageGate? storage,
        bool subscriberAccess, TrustedPeers? peers)
    {
        Configuration = configuration;
        Root = System.IO.Directory.CreateTempSubdirectory("openum-calls-").FullName;
        RtpFirst = Interlocked.Add(ref s_nextRange, 100) - 100;
        _server = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 }, TimeProvider.System, NullLogger.Instance);
        _clock = new MediaClock(TimeProvider.System);
        _spool = new VoiceMessageSpool(SpoolDirectory, new MaildirSink(Maildir), Events);
        if (subscriberAccess)
            _store = new SqliteConfigurationStore(Path.Combine(Root, "config.db"));
        Peers = peers ?? new TrustedPeers(NullLogger.Instance);
        Controller = new CallController(() => Configuration, Peers, new RtpPortRange(RtpFirst, RtpFirst + 49), _clock, _server.Wheel,
            spool?.Invoke(_spool) ?? _spool, PromptLibrary.Default, new CallControllerOptions(Server.Name, Root), TimeProvider.System, Events)
        {
            Storage = storage,
        };
        if (_store is not null)
        {
            Controller.SubscriberAccess = new SubscriberAccessServices(new PinAuthenticator(_store, TimeProvider.System),
                new OutdialingEngine(new OutdialingOptions(), TimeProvider.System, NullLogger.Instance), new MaildirMessageStore(Maildir));
        }
    }

    /// <summary>
    /// Starts a controller answering on a loopback TCP port. <paramref name="spool"/> may wrap the real spool;
    /// <paramref name="storage"/> is the controller's storage gate; <paramref name="subscriberAccess"/> gives it PIN
    /// checks (on a store in the data root), outdialing and the maildir's messages; <paramref name="peers"/> replaces
    /// the gateways trusted from <paramref name="configuration"/> (default <see cref="Snapshot"/>).
    /// </summary>
    public static async Task<CallControllerHarness> StartAsync(ConfigurationSnapshot? configuration = null,
        Func<VoiceMessageSpool, IVoiceMessageSpool>? spool = null, IStorageGate? storage = null, bool subscriberAccess = false,
        TrustedPeers? peers = null)
    {
        var harness = new CallControllerHarness(configuration ?? Snapshot(), spool, storage, subscriberAccess, peers);
        try
        {
            if (peers is null)
                await harness.Peers.RebuildAsync(harness.Configuration, CancellationToken.None);
            harness._server.Admit = harness.Controller.Admit;
            harness._server.OnIncomingCall = harness.Controller.OnIncomingCall;
            await harness._server.StartAsync(CancellationToken.None);
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>What the controller reads at each call; a test may replace it before calling.</summary>
    public ConfigurationSnapshot Configuration { get; set; }

    /// <summary>The gateways the controller trusts.</summary>
    public TrustedPeers Peers { get; }

    /// <summary>The controller under test.</summary>
    public CallController Controller { get; }

    /// <summary>Everything the controller and its spool logged.</summary>
    public FakeLogger Events { get; } = new();

    /// <summary>The data root: spool, maildir, greetings.</summary>
    public string Root { get; }

    /// <summary>The first of the harness's 100 ports; the server's RTP uses the first 50.</summary>
    public int RtpFirst { get; }

    /// <summary>The ports the gateway's side may use (for its SDP offer or a connectivity test).</summary>
    public RtpPortRange GatewayPorts => new(RtpFirst + 60, RtpFirst + 99);

    /// <summary>The spool's directory.</summary>
    public string SpoolDirectory => Path.Combine(Root, "spool");

    /// <summary>The maildir messages are delivered to.</summary>
    public string Maildir => Path.Combine(Root, "maildir");

    /// <summary>The new messages of mailbox 1000.</summary>
    public string Inbox => Path.Combine(Maildir, EmailAddress, "new");

    /// <summary>The server's SIP address.</summary>
    public IPEndPoint EndPoint => _server.LocalEndPoints[0];

    /// <summary>
    /// The gateway calls <paramref name="number"/> over TCP from a new user agent (the caller disposes it), offering
    /// audio at <paramref name="sdpAddress"/> (default loopback); the INVITE's final answer, within a 30 s hang guard.
    /// </summary>
    public async Task<(OutgoingCallResult Result, SipUserAgent Client)> CallAsync(string number, IPAddress? sdpAddress = null)
    {
        var client = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null }, TimeProvider.System, NullLogger.Instance);
        try
        {
            await client.StartAsync(CancellationToken.None);
            var offer = OfferAnswer.CreateOffer(MediaCapabilities.Default, sdpAddress ?? IPAddress.Loopback, RtpFirst + 60).Sdp;
            var endpoint = EndPoint;
            var request = new OutgoingCallRequest(endpoint, SipUri.Parse($"sip:{number}@127.0.0.1:{endpoint.Port};transport=tcp"),
                new SipNameAddress(SipUri.Parse("sip:5551234@127.0.0.1"), "Caller"), new SipNameAddress(SipUri.Parse($"sip:{number}@127.0.0.1")),
                Encoding.UTF8.GetBytes(offer.ToString()));
            var result = await client.InviteAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            return (result, client);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the calls in progress, stops the SIP stack, clock and spool, and removes the data root.</summary>
    public async ValueTask DisposeAsync()
    {
        await Controller.DisposeAsync();
        await _server.DisposeAsync();
        await _clock.DisposeAsync();
        await _spool.DisposeAsync();
        _store?.Dispose();
        System.IO.Directory.Delete(Root, recursive: true);
    }
}
