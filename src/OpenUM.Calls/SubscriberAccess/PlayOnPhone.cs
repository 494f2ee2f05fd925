using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>One Play on Phone request (CALL-3): whose message, which audio, which phone.</summary>
/// <remarks><paramref name="Server"/> gives the SRTP suite order and replay window of a Secured dial plan (null = the defaults).</remarks>
public sealed record PlayOnPhoneRequest(ConfigurationSnapshot Configuration, DialPlan DialPlan, Mailbox Mailbox, string MessageId,
    AudioClip Audio, string Phone, RtpPortRange Ports, UmServer? Server = null);

/// <summary>What happened: refused by the policy or the engine (no INVITE sent), or placed with its SIP outcome and media counters.</summary>
public sealed record PlayOnPhoneResult(bool Allowed, bool Played, string ReasonCode, string Reason, string? Gateway, string? DialedNumber,
    int StatusCode, long RtpPacketsSent, double AudioSeconds);

/// <summary>
/// Play on Phone (CALL-3): checks the number with the outdialing engine as the mailbox's user (its policy's
/// groups; 1076 on a refusal, 1310 without an OutcallsAllowed gateway), and only then places the call through
/// the chosen gateway, plays the message when answered, and hangs up. On a SipSecured or Secured dial plan the call
/// is as secure as one the gateway sends: mutual TLS with <paramref name="tls"/> (our certificate presented, the
/// gateway's checked against the trust list and its FQDN), and on a Secured plan SRTP required (<see cref="MediaPolicy"/>).
/// </summary>
/// <param name="engine">The outdialing engine that checks the number and chooses the gateway.</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Events 2032, 1076, 1310, 1400, 1401.</param>
/// <param name="tls">The server certificate and trust list; required for secured dial plans.</param>
/// <param name="health">Records refused and recovered TLS connections to gateways (1400/1401); null = not recorded.</param>
public sealed class PlayOnPhone(OutdialingEngine engine, TimeProvider time, ILogger logger, TlsContext? tls = null, SipPeerHealth? health = null)
{
    private static readonly TimeSpan RingLimit = TimeSpan.FromSeconds(60);

    /// <summary>The restrictions of a logged-on user: the mailbox policy's, else (no policy) the dial plan's own.</summary>
    public static OutdialingRestrictions RestrictionsFor(DialPlan dialPlan, MailboxPolicy? policy) => policy is null
        ? OutdialingRestrictions.ForDialPlan(dialPlan)
        : new($"mailbox policy '{policy.Name}'", policy.AllowDialPlanSubscribers, policy.AllowExtensions,
            policy.AllowedInCountryOrRegionGroups, policy.AllowedInternationalGroups);

    /// <summary>Checks, calls and plays; never throws for a refused or failed call.</summary>
    public async Task<PlayOnPhoneResult> RunAsync(PlayOnPhoneRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = request.Configuration;
        var mailbox = request.Mailbox;
        var policy = config.PolicyFor(mailbox);
        if (!policy.AllowPlayOnPhone)
            return Done(request, Refused("NotAllowed", $"mailbox policy '{policy.Name}' does not allow Play on Phone (AllowPlayOnPhone is off)"));

        var decision = engine.Authorize(new OutdialingRequest
        {
            Configuration = config,
            DialPlan = request.DialPlan,
            Restrictions = RestrictionsFor(request.DialPlan, policy),
            Number = request.Phone,
            Source = OutdialingTargetSource.Entered,
            User = $"{mailbox.DialPlan}/{mailbox.Extension}",
        });
        if (!decision.Allowed || decision.Gateway is null || decision.DialedNumber is null)
            return Done(request, Refused(decision.ReasonCode.ToString(), decision.Reason) with { DialedNumber = decision.DialedNumber });
        var gateway = config.FindGateway(decision.Gateway)!;
        var plan = request.DialPlan;
        if (plan.IsSecured && tls is null)
            return Done(request, Refused("NoCertificate", $"dial plan '{plan.Name}' is {plan.VoipSecurity}: the call needs mutual TLS, and no server certificate was given"));
        if (plan.IsSecured && gateway.HasIPAddress)
            return Done(request, Refused("GatewayNotFqdn", $"gateway '{gateway.Name}' of {plan.VoipSecurity} dial plan '{plan.Name}' has the IP address {gateway.Address}: "
                + $"its certificate is checked against its FQDN; set one with: openum gateway set {gateway.Name} --address FQDN"));

        IPAddress? address;
        try
        {
            address = IPAddress.TryParse(gateway.Address, out var literal) ? literal
                : Choose(await Dns.GetHostAddressesAsync(gateway.Address, ct).ConfigureAwait(false), gateway.IPAddressFamily);
        }
        catch (SocketException e)
        {
            return Done(request, Failed(gateway.Name, decision.DialedNumber, 0, $"gateway address {gateway.Address} does not resolve: {e.Message}"));
        }
        if (address is null)
            return Done(request, Failed(gateway.Name, decision.DialedNumber, 0, $"gateway address {gateway.Address} has no address of family {gateway.IPAddressFamily}"));
        var target = new IPEndPoint(address, gateway.EffectivePort(plan.IsSecured));
        return Done(request, await CallAsync(request, target, gateway, decision.DialedNumber, ct).ConfigureAwait(false));
    }

    private async Task<PlayOnPhoneResult> CallAsync(PlayOnPhoneRequest request, IPEndPoint target, IpGateway gw, string dialed, CancellationToken ct)
    {
        string gateway = gw.Name;
        bool secured = request.DialPlan.IsSecured;
        var local = LocalAddressFor(target.Address);
        // The gateway's certificate must name its FQDN (TLS-4); the verdict says why when it does not.
        PeerValidationResult? verdict = null;
        Exception? handshakeError = null;
        await using var agent = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = local, TcpPort = null,
            TlsClientOptions = secured ? (_, name) => tls!.CreateClientOptions(name ?? gw.Address, v => verdict = v) : null,
        }, time, logger);
        agent.OutgoingTlsHandshakeFailed += (_, error) => handshakeError = error;
        await agent.StartAsync(ct).ConfigureAwait(false);
        await using var clock = new MediaClock(time);
        await using var media = MediaSession.Open(local, request.Ports, clock, logger);
        var capabilities = MediaPolicy.CapabilitiesFor(request.DialPlan, request.Server);
        var offer = OfferAnswer.CreateOffer(capabilities, local, media.LocalPort);
        // Secured: the Request-URI names the gateway by the FQDN its certificate carries; otherwise by the address called.
        string host = secured ? gw.Address : target.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{target.Address}]" : target.Address.ToString();
        string self = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        var transport = secured ? SipTransportKind.Tls : SipTransportKind.Tcp;
        var invite = new OutgoingCallRequest(target,
            SipUri.Parse($"sip:{dialed}@{host}:{target.Port};transport={(secured ? "tls" : "tcp")}"),
            new SipNameAddress(SipUri.Parse($"sip:{request.Mailbox.Extension}@{self}"), "OpenUM Play on Phone"),
            new SipNameAddress(SipUri.Parse($"sip:{dialed}@{host}")),
            Encoding.UTF8.GetBytes(offer.Sdp.ToString()), transport) { TlsTargetName = secured ? gw.Address : null };

        OutgoingCallResult answer;
        using (var ringLimit = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            ringLimit.CancelAfter(RingLimit);
            try { answer = await agent.InviteAsync(invite, ringLimit.Token).ConfigureAwait(false); }
            catch (Exception e) when (handshakeError is not null && e is AuthenticationException or IOException or TimeoutException)
            {
                string reason = verdict is { Accepted: false } refused
                    ? $"gateway certificate refused: {refused.Reason}: {refused.Detail} (subject {refused.Subject}, issuer {refused.Issuer})"
                    : $"TLS handshake failed: {(handshakeError.InnerException ?? handshakeError).Message}";
                health?.Failed(gateway, $"{gw.Address} {target}", reason);
                return Failed(gateway, dialed, 0, $"gateway {gateway} ({gw.Address}, {target}): {reason}");
            }
            catch (Exception e) when (e is SocketException or IOException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                return Failed(gateway, dialed, 0, $"no answer from gateway {gateway} ({target}): {e.Message}");
            }
        }
        if (secured) health?.Succeeded(gateway, $"{gw.Address} {target}");
        if (answer.StatusCode is < 200 or >= 300 || answer.Dialog is not { } dialog || answer.FinalResponse is null)
            return Failed(gateway, dialed, answer.StatusCode, $"the call was not answered: {answer.StatusCode} {answer.ReasonPhrase}");

        try
        {
            if (!SessionDescription.TryParse(Encoding.UTF8.GetString(answer.FinalResponse.Body.Span), out var sdp, out string? sdpError) || sdp is null)
                return Failed(gateway, dialed, answer.StatusCode, $"the answer's SDP is malformed: {sdpError}");
            if (OfferAnswer.ReadAnswer(offer, sdp, out string? answerError) is not { } negotiated)
                return Failed(gateway, dialed, answer.StatusCode, $"the answer's SDP is not acceptable: {answerError}");
            if (capabilities.Srtp == SrtpMode.Required && negotiated.Srtp is null)
                return Failed(gateway, dialed, answer.StatusCode, "the phone answered plain RTP to an SRTP offer");
            media.Start(negotiated);
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _ = dialog.Terminated.ContinueWith(_ => { try { ended.Cancel(); } catch (ObjectDisposedException) { } }, TaskScheduler.Default);
            bool complete = true;
            try { await media.PlayAsync(request.Audio, ended.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { complete = false; }
            long sent = media.Statistics.PacketsSent;
            return new PlayOnPhoneResult(true, complete, complete ? "Played" : "HungUp",
                complete ? "the message was played" : "the phone hung up before the end of the message",
                gateway, dialed, answer.StatusCode, sent, request.Audio.Duration.TotalSeconds);
        }
        finally
        {
            if (!dialog.Terminated.IsCompleted)
            {
                try { await dialog.ByeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
                catch (Exception e) when (e is TimeoutException or IOException or OperationCanceledException or InvalidOperationException) { }
            }
        }
    }

    private PlayOnPhoneResult Done(PlayOnPhoneRequest request, PlayOnPhoneResult result)
    {
        CallEvents.PlayOnPhone(logger, request.MessageId, request.Mailbox.Extension, request.DialPlan.Name,
            result.DialedNumber ?? request.Phone, result.Gateway ?? "-", $"{result.ReasonCode}: {result.Reason}");
        return result;
    }

    private static PlayOnPhoneResult Refused(string code, string reason) => new(false, false, code, reason, null, null, 0, 0, 0);

    private static PlayOnPhoneResult Failed(string gateway, string dialed, int status, string reason) =>
        new(true, false, "CallFailed", reason, gateway, dialed, status, 0, 0);

    /// <summary>The gateway's address of the family it is configured for (IPAddressFamily; Any prefers IPv6, as Exchange).</summary>
    private static IPAddress? Choose(IPAddress[] addresses, IPAddressFamily family) => family switch
    {
        IPAddressFamily.IPv4Only => addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork),
        IPAddressFamily.IPv6Only => addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6),
        _ => addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6) ?? addresses.FirstOrDefault(),
    };

    /// <summary>The local address the kernel would use to reach <paramref name="remote"/> (SDP needs a concrete one).</summary>
    private static IPAddress LocalAddressFor(IPAddress remote)
    {
        if (IPAddress.IsLoopback(remote)) return remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(remote, 9); // UDP connect sends nothing; it only selects the route
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}
