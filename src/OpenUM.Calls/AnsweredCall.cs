using Microsoft.Extensions.Logging;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Media.Srtp;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls;

/// <summary>
/// The SIP and media side every answered call shares (voice mail, subscriber access): the offer answered with the
/// dial plan's security mode (SEC-3), 200 OK, re-INVITEs (hold, resume, refresh, rekeying), and at the end the media
/// closed with the SRTP summary of a Secured call.
/// </summary>
internal sealed class AnsweredCall
{
    // A guard only: the BYE transaction ends itself at Timer F (32 s) when the peer never answers.
    private static readonly TimeSpan ByeTimeout = TimeSpan.FromSeconds(40);

    private readonly MediaCapabilities _capabilities;
    private readonly ILogger _logger;
    private SessionDescription _lastAnswer;

    private AnsweredCall(SipDialog dialog, MediaSession media, SessionDescription answer, MediaCapabilities capabilities, ActiveCall entry, ILogger logger)
    {
        (Dialog, Media, _lastAnswer, _capabilities, Entry, _logger) = (dialog, media, answer, capabilities, entry, logger);
        dialog.OnReInvite = OnReInvite;
        // A session refresh without SDP: our current session goes out as the offer, unchanged (RFC 3264 §8: same
        // origin version, since nothing changed), and the peer's answer in the ACK is not needed.
        dialog.OnOfferlessReInvite = () => _lastAnswer.ToBytes();
    }

    /// <summary>The dialog of the answered call.</summary>
    public SipDialog Dialog { get; }

    /// <summary>The call's media session (started).</summary>
    public MediaSession Media { get; }

    /// <summary>The call's row in the active-call list: the kind of call moves its state on.</summary>
    public ActiveCall Entry { get; }

    /// <summary>
    /// Negotiates media and answers (200 OK), or rejects the INVITE (488 with a Warning saying why, 400 for
    /// malformed SDP) and returns null. <paramref name="extension"/> only labels event 2002; the negotiated media is
    /// shown on <paramref name="entry"/>.
    /// </summary>
    public static AnsweredCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        CallServices s, string extension, ActiveCall entry)
    {
        var invite = call.Request;
        // The SDP may be the whole body or one part of a multipart body (SIP-I/SIP-T gateways add ISUP).
        var sdpBody = call.SdpOffer;
        if (sdpBody.IsEmpty)
        {
            // Offerless INVITEs (offer in the 200, answer in the ACK) are not supported yet.
            call.Reject(488, "Not Acceptable Here", [new SipHeader("Warning", "399 openum \"An SDP offer is required in the INVITE\"")]);
            return null;
        }
        if (!SessionDescription.TryParseUtf8(sdpBody.Span, out var offer, out string? sdpError) || offer is null)
        {
            call.Reject(400, "Bad Request", [new SipHeader("Warning", $"399 openum \"Malformed SDP: {sdpError}\"")]);
            return null;
        }

        var localAddress = call.Connection.Local.Address;
        if (localAddress.IsIPv4MappedToIPv6) localAddress = localAddress.MapToIPv4();
        var media = MediaSession.Open(localAddress, s.Ports, s.Clock, s.Logger);
        try
        {
            var capabilities = MediaPolicy.CapabilitiesFor(dialPlan, config.FindUmServer(s.Options.ServerName));
            var result = OfferAnswer.Answer(offer, capabilities, localAddress, media.LocalPort);
            if (!result.Success || result.Answer is null || result.Media is null)
            {
                string reason = result.FailureReason ?? "no acceptable media";
                // 304 "Media type not available" for codecs; 399 for the security policy of a Secured dial plan.
                int warn = capabilities.Srtp == SrtpMode.Required ? 399 : 304;
                call.Reject(result.FailureStatus == 0 ? 488 : result.FailureStatus, "Not Acceptable Here",
                    [new SipHeader("Warning", $"{warn} openum \"{reason.Replace('"', '\'')}\"")]);
                var remote = call.Connection.Remote;
                string address = (remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address).ToString();
                CallEvents.CallRejected(s.Logger, address, remote.Port, $"dial plan {dialPlan.Name} ({dialPlan.VoipSecurity}): {reason}", "");
                CallMetrics.CallRefused(RefusalReason.Media);
                _ = media.DisposeAsync().AsTask();
                return null;
            }
            // Receiving before the 200 OK leaves: the gateway may send RTP as soon as it has our answer, and a session
            // drops what arrives before it starts.
            media.Start(result.Media, SourcePolicy(gateway, config.FindUmServer(s.Options.ServerName), call.Connection.Remote.Address));
            var dialog = call.Accept(result.Answer.ToBytes());
            string codec = result.Media.Srtp is { } srtp ? $"{result.Media.Codec}, SRTP {SrtpSuites.Name(srtp.Suite)}" : result.Media.Codec.ToString();
            entry.SetMedia(result.Media.Codec.ToString().ToUpperInvariant(), result.Media.Srtp is { } suite ? SrtpSuites.Name(suite.Suite) : "");
            CallMetrics.CallAnswered();
            CallEvents.CallAnswered(s.Logger, invite.CallId ?? "", CallerId(invite), gateway.Name, extension, dialPlan.Name, codec);
            return new AnsweredCall(dialog, media, result.Answer, capabilities, entry, s.Logger);
        }
        catch
        {
            _ = media.DisposeAsync().AsTask();
            throw;
        }
    }

    /// <summary>
    /// Where the call's RTP may come from: the gateway's MediaLatching, the address of the SIP connection the call
    /// came on (NAT and multi-homed gateways send media from there while their SDP names another address), and the
    /// server's RtpProbation.
    /// </summary>
    internal static MediaSourcePolicy SourcePolicy(IpGateway gateway, UmServer? server, System.Net.IPAddress signallingPeer) =>
        new(gateway.MediaLatching, signallingPeer.IsIPv4MappedToIPv6 ? signallingPeer.MapToIPv4() : signallingPeer,
            server?.RtpProbation ?? MediaSourcePolicy.DefaultProbation, gateway.Name);

    /// <summary>
    /// The call's lifetime: cancelled when the dialog ends (BYE, ACK timeout, transport loss), at
    /// <paramref name="maxDuration"/> (MaxCallDuration) or at shutdown, remembering why.
    /// </summary>
    public CallLifetime Watch(TimerWheel timers, TimeSpan maxDuration, CancellationToken shutdown) =>
        new(Dialog, timers, maxDuration, shutdown);

    /// <summary>The caller's number (From user part), or "Anonymous".</summary>
    public static string CallerId(SipMessage invite) => invite.From?.Uri.User is { Length: > 0 } user ? user : "Anonymous";

    /// <summary>
    /// Ends the call from our side, whatever kind it was: BYE unless the dialog has already ended, the media closed
    /// (a Secured call logs its SRTP summary, 2006, counted to the very end), then 2003 with <paramref name="reason"/>.
    /// Never throws for a peer that is gone.
    /// </summary>
    public async Task EndAsync(string reason)
    {
        Entry.State = ActiveCallState.Ending;
        if (!Dialog.Terminated.IsCompleted)
        {
            try { await Dialog.ByeAsync(CancellationToken.None).WaitAsync(ByeTimeout).ConfigureAwait(false); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // The caller is gone or did not answer the BYE: the call is over for us either way.
            }
        }
        bool secure = Media.IsSecure;
        await Media.DisposeAsync().ConfigureAwait(false);
        if (secure)
        {
            var stats = Media.SrtpStatistics;
            CallMetrics.SrtpRejections(stats);
            CallEvents.SrtpSummary(_logger, stats.Rejected > 0 ? LogLevel.Warning : LogLevel.Information, Dialog.CallId,
                stats.RtpAuthenticationFailures, stats.RtpReplays, stats.RtpOther,
                stats.RtcpAuthenticationFailures, stats.RtcpReplays, stats.RtcpOther, stats.RtcpPackets);
        }
        CallEvents.CallEnded(_logger, Dialog.CallId, reason);
    }

    /// <summary>Hold, resume, refresh and rekeying: answer the new offer and move the media accordingly.</summary>
    private ReadOnlyMemory<byte>? OnReInvite(SipMessage reInvite)
    {
        if (!SipBody.TryGetPart(reInvite, "application/sdp", out var body)
            || !SessionDescription.TryParseUtf8(body.Span, out var offer, out _) || offer is null)
            return null;
        var result = OfferAnswer.Answer(offer, _capabilities, Media.LocalAddress, Media.LocalPort, _lastAnswer.Origin);
        if (!result.Success || result.Answer is null || result.Media is null) return null;
        _lastAnswer = result.Answer;
        Media.Update(result.Media);
        Entry.SetMedia(result.Media.Codec.ToString().ToUpperInvariant(), result.Media.Srtp is { } srtp ? SrtpSuites.Name(srtp.Suite) : "");
        return result.Answer.ToBytes();
    }
}

/// <summary>See <see cref="AnsweredCall.Watch"/>. Disposing it stops the MaxCallDuration timer.</summary>
internal sealed class CallLifetime : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly TimerWheel _timers;
    private readonly TimerWheelEntry _maxDuration;
    private volatile string _endReason = "completed";

    internal CallLifetime(SipDialog dialog, TimerWheel timers, TimeSpan maxDuration, CancellationToken shutdown)
    {
        _timers = timers;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        _maxDuration = timers.Schedule(maxDuration, _ => End("MaxCallDuration reached"), null);
        // Our own BYE says nothing new: the reason that made us send it is already recorded. Synchronous: a dialog that
        // ended before the call ran is ended here with no hand-off; otherwise Terminated completes asynchronously, so
        // this still runs on the pool, never on the read loop that took the BYE.
        _ = dialog.Terminated.ContinueWith(
            static (t, s) => ((CallLifetime)s!).End(t.IsCompletedSuccessfully && t.Result.Reason != SipDialogEndReason.LocalBye
                ? t.Result.Reason.ToString() : null),
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Cancelled when the call must end.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Why the call ended ("completed" unless something else said).</summary>
    public string EndReason
    {
        get => _endReason;
        set => _endReason = value;
    }

    private void End(string? reason)
    {
        if (reason is not null)
            _endReason = reason;
        try { _cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timers.Cancel(_maxDuration);
        _cts.Dispose();
    }
}
