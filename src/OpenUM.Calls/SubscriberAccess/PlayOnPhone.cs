using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>One Play on Phone request (CALL-3): whose message, which audio, which phone.</summary>
public sealed record PlayOnPhoneRequest(ConfigurationSnapshot Configuration, DialPlan DialPlan, Mailbox Mailbox, string MessageId,
    AudioClip Audio, string Phone, RtpPortRange Ports);

/// <summary>What happened: refused by the policy or the engine (no INVITE sent), or placed with its SIP outcome and media counters.</summary>
public sealed record PlayOnPhoneResult(bool Allowed, bool Played, string ReasonCode, string Reason, string? Gateway, string? DialedNumber,
    int StatusCode, long RtpPacketsSent, double AudioSeconds);

/// <summary>
/// Play on Phone (CALL-3): checks the number with the outdialing engine as the mailbox's user (its policy's
/// groups; 1076 on a refusal, 1310 without an OutcallsAllowed gateway), and only then places the call through
/// the chosen gateway, plays the message when answered, and hangs up.
/// </summary>
public sealed class PlayOnPhone(OutdialingEngine engine, TimeProvider time, ILogger logger)
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
        if (request.DialPlan.IsSecured)
            return Done(request, Refused("NotImplemented", $"dial plan '{request.DialPlan.Name}' is {request.DialPlan.VoipSecurity}: Play on Phone over mutual TLS is not implemented yet"));

        IPAddress address;
        try
        {
            address = IPAddress.TryParse(gateway.Address, out var literal) ? literal
                : (await Dns.GetHostAddressesAsync(gateway.Address, ct).ConfigureAwait(false))[0];
        }
        catch (Exception e) when (e is SocketException or IndexOutOfRangeException)
        {
            return Done(request, Failed(gateway.Name, decision.DialedNumber, 0, $"gateway address {gateway.Address} does not resolve: {e.Message}"));
        }
        var target = new IPEndPoint(address, gateway.Port > 0 ? gateway.Port : 5060);
        return Done(request, await CallAsync(request, target, gateway.Name, decision.DialedNumber, ct).ConfigureAwait(false));
    }

    private async Task<PlayOnPhoneResult> CallAsync(PlayOnPhoneRequest request, IPEndPoint target, string gateway, string dialed, CancellationToken ct)
    {
        var local = LocalAddressFor(target.Address);
        await using var agent = new SipUserAgent(new SipUserAgentOptions { ListenAddress = local, TcpPort = null }, time, logger);
        await agent.StartAsync(ct).ConfigureAwait(false);
        await using var clock = new MediaClock(time);
        await using var media = MediaSession.Open(local, request.Ports, clock, logger);
        var offer = OfferAnswer.CreateOffer(new MediaCapabilities([AudioCodec.Pcmu, AudioCodec.Pcma], true, SrtpMode.Off), local, media.LocalPort);
        string host = target.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{target.Address}]" : target.Address.ToString();
        string self = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        var invite = new OutgoingCallRequest(target,
            SipUri.Parse($"sip:{dialed}@{host}:{target.Port};transport=tcp"),
            new SipNameAddress(SipUri.Parse($"sip:{request.Mailbox.Extension}@{self}"), "OpenUM Play on Phone"),
            new SipNameAddress(SipUri.Parse($"sip:{dialed}@{host}")),
            Encoding.UTF8.GetBytes(offer.Sdp.ToString()));

        OutgoingCallResult answer;
        using (var ringLimit = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            ringLimit.CancelAfter(RingLimit);
            try { answer = await agent.InviteAsync(invite, ringLimit.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is SocketException or IOException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                return Failed(gateway, dialed, 0, $"no answer from gateway {gateway} ({target}): {e.Message}");
            }
        }
        if (answer.StatusCode is < 200 or >= 300 || answer.Dialog is not { } dialog || answer.FinalResponse is null)
            return Failed(gateway, dialed, answer.StatusCode, $"the call was not answered: {answer.StatusCode} {answer.ReasonPhrase}");

        try
        {
            if (!SessionDescription.TryParse(Encoding.UTF8.GetString(answer.FinalResponse.Body.Span), out var sdp, out string? sdpError) || sdp is null)
                return Failed(gateway, dialed, answer.StatusCode, $"the answer's SDP is malformed: {sdpError}");
            if (OfferAnswer.ReadAnswer(offer, sdp, out string? answerError) is not { } negotiated)
                return Failed(gateway, dialed, answer.StatusCode, $"the answer's SDP is not acceptable: {answerError}");
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

    /// <summary>The local address the kernel would use to reach <paramref name="remote"/> (SDP needs a concrete one).</summary>
    private static IPAddress LocalAddressFor(IPAddress remote)
    {
        if (IPAddress.IsLoopback(remote)) return remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(remote, 9); // UDP connect sends nothing; it only selects the route
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}
