using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Logging;
using OpenUM.TestSupport.Pki;
using static OpenUM.Calls.Tests.Outdialing.OutdialingFixture;

namespace OpenUM.Calls.Tests.SubscriberAccess;

/// <summary>
/// Play on Phone on secured dial plans against an in-process gateway over TLS: mutual TLS to the gateway's FQDN,
/// SRTP required on Secured plans with the server's suite order, a plain answer refused, a certificate with the
/// wrong name refused (1400), and what is refused before anything is sent.
/// </summary>
public sealed class SecurePlayOnPhoneTests : IAsyncDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly TestCa _ca = new();
    private readonly FakeLogger _events = new();
    private readonly TlsContext _ours;
    private SipUserAgent? _gateway;
    private IncomingCall? _invite;
    private SipDialog? _dialog;

    public SecurePlayOnPhoneTests()
    {
        _ours = TlsContext.Create(_ca.Issue("um.example.test"), null, new TrustList([_ca.Root], []), new PeerValidationOptions(),
            () => [], TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task SecuredPlanCallsOverMutualTlsWithTheServersSrtpSuite()
    {
        int port = await StartGatewayAsync("localhost", srtpAnswer: true);
        var health = new SipPeerHealth(TimeProvider.System, _events);
        health.Failed("pbx", "localhost", "earlier refusal");

        var result = await PlayOnPhone(health).RunAsync(Request(VoipSecurity.Secured, "localhost", port), CancellationToken.None).WaitAsync(HangGuard);

        Assert.True(result.Played, result.Reason);
        Assert.NotNull(_invite);
        Assert.Equal(SipTransportKind.Tls, _invite.Connection.Transport);
        Assert.Equal("um.example.test", _invite.Connection.PeerCertificate?.GetNameInfo(X509NameType.DnsName, false));
        string requestUri = _invite.Request.RequestUri!.ToString();
        Assert.StartsWith("sip:880612345678@localhost:", requestUri, StringComparison.Ordinal);
        Assert.EndsWith(";transport=tls", requestUri, StringComparison.Ordinal);
        Assert.Contains(";transport=tls", _invite.Request.Headers.Get("Contact"), StringComparison.Ordinal);
        string offer = Encoding.UTF8.GetString(_invite.SdpOffer.Span);
        Assert.Contains("RTP/SAVP", offer, StringComparison.Ordinal);
        // The server's preference: its one configured suite is the only one offered.
        Assert.Contains("AES_CM_128_HMAC_SHA1_32", offer, StringComparison.Ordinal);
        Assert.DoesNotContain("AES_CM_128_HMAC_SHA1_80", offer, StringComparison.Ordinal);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await _dialog!.Terminated.WaitAsync(HangGuard)).Reason);
        Assert.Single(_events.Records(1401));
    }

    [Fact]
    public async Task PlainAnswerToTheSrtpOfferFailsAndHangsUp()
    {
        int port = await StartGatewayAsync("localhost", srtpAnswer: false);
        var result = await PlayOnPhone().RunAsync(Request(VoipSecurity.Secured, "localhost", port), CancellationToken.None).WaitAsync(HangGuard);

        Assert.False(result.Played);
        Assert.Equal("CallFailed", result.ReasonCode);
        Assert.Contains("plain RTP", result.Reason, StringComparison.Ordinal);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await _dialog!.Terminated.WaitAsync(HangGuard)).Reason);
    }

    [Fact]
    public async Task SipSecuredPlanUsesTlsButPlainRtp()
    {
        int port = await StartGatewayAsync("localhost", srtpAnswer: false);
        var result = await PlayOnPhone().RunAsync(Request(VoipSecurity.SipSecured, "localhost", port), CancellationToken.None).WaitAsync(HangGuard);

        Assert.True(result.Played, result.Reason);
        Assert.Equal(SipTransportKind.Tls, _invite!.Connection.Transport);
        Assert.Contains("RTP/AVP", Encoding.UTF8.GetString(_invite.SdpOffer.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayCertificateWithAnotherNameIsRefusedWith1400()
    {
        int port = await StartGatewayAsync("other.example.test", srtpAnswer: true);
        var health = new SipPeerHealth(TimeProvider.System, _events);

        var result = await PlayOnPhone(health).RunAsync(Request(VoipSecurity.Secured, "localhost", port), CancellationToken.None).WaitAsync(HangGuard);

        Assert.False(result.Played);
        Assert.Equal("CallFailed", result.ReasonCode);
        Assert.Contains("NameNotAGateway", result.Reason, StringComparison.Ordinal);
        Assert.Contains("other.example.test", result.Reason, StringComparison.Ordinal);
        Assert.Contains("localhost", result.Reason, StringComparison.Ordinal);
        Assert.Null(_invite);
        var unhealthy = Assert.Single(_events.Records(1400));
        Assert.Equal("pbx", unhealthy.Field<string>("Gateway"));
        Assert.Empty(_events.Records(1401));
    }

    [Fact]
    public async Task IpLiteralGatewayOnASecuredPlanIsRefusedBeforeAnyCall()
    {
        var result = await PlayOnPhone().RunAsync(Request(VoipSecurity.SipSecured, "127.0.0.1", 5061), CancellationToken.None);
        Assert.False(result.Allowed);
        Assert.Equal("GatewayNotFqdn", result.ReasonCode);
        Assert.Contains("openum gateway set pbx --address", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecuredPlanWithoutACertificateIsRefusedBeforeAnyCall()
    {
        var engine = new OutdialingEngine(new OutdialingOptions(), TimeProvider.System, _events);
        var result = await new PlayOnPhone(engine, TimeProvider.System, _events)
            .RunAsync(Request(VoipSecurity.Secured, "localhost", 5061), CancellationToken.None);
        Assert.False(result.Allowed);
        Assert.Equal("NoCertificate", result.ReasonCode);
    }

    private PlayOnPhone PlayOnPhone(SipPeerHealth? health = null) =>
        new(new OutdialingEngine(new OutdialingOptions(), TimeProvider.System, _events), TimeProvider.System, _events, _ours, health);

    private static PlayOnPhoneRequest Request(VoipSecurity security, string gatewayAddress, int port)
    {
        var plan = Plan with { VoipSecurity = security };
        var policy = new MailboxPolicy { Name = "Staff", DialPlan = plan.Name, AllowedInCountryOrRegionGroups = ["Mobile"] };
        var mailbox = new Mailbox { Extension = "1000", EmailAddress = "user1000@example.test", DialPlan = plan.Name, MailboxPolicy = "Staff" };
        var config = new ConfigurationSnapshot(1, [plan],
            [new IpGateway { Name = "pbx", Address = gatewayAddress, Port = port, OutcallsAllowed = true }],
            [new HuntGroup { Name = "hg", IpGateway = "pbx", DialPlan = plan.Name }], [], [mailbox], [policy]);
        var server = new UmServer { Name = "um", SrtpCryptoSuites = ["AES_CM_128_HMAC_SHA1_32"] };
        return new PlayOnPhoneRequest(config, plan, mailbox, "m1", AudioClip.Tone(440, TimeSpan.FromMilliseconds(200), 0.2), "0612345678",
            new RtpPortRange(41000, 41998), server);
    }

    // A gateway on 127.0.0.1 over TLS presenting a certificate for certificateName, requiring a client certificate of
    // the test CA; it answers the first INVITE with SRTP (when the offer asks for it) or plain RTP.
    private async Task<int> StartGatewayAsync(string certificateName, bool srtpAnswer)
    {
        var certificate = _ca.Issue(certificateName);
        _gateway = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = IPAddress.Loopback, TcpPort = null, TlsPort = 0,
            TlsServerOptions = _ => new SipTlsHandshake(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, c, _, _) => _ca.Chains(c),
            }),
        }, TimeProvider.System, NullLogger.Instance);
        _gateway.OnIncomingCall = call =>
        {
            _invite = call;
            Assert.True(SessionDescription.TryParse(Encoding.UTF8.GetString(call.SdpOffer.Span), out var offer, out _));
            var caps = new MediaCapabilities([AudioCodec.Pcmu], true, srtpAnswer ? SrtpMode.Required : SrtpMode.Off);
            var answer = srtpAnswer
                ? OfferAnswer.Answer(offer!, caps, IPAddress.Loopback, 41999).Answer!.ToString()
                : "v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41999 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            _dialog = call.Accept(Encoding.UTF8.GetBytes(answer));
            return ValueTask.CompletedTask;
        };
        await _gateway.StartAsync(CancellationToken.None);
        return _gateway.TlsPort ?? throw new InvalidOperationException("the gateway has no TLS listener");
    }
}
