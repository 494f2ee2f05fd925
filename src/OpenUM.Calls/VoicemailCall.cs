using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Delivery;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Sip;

namespace OpenUM.Calls;

/// <summary>
/// One answered call (CALL-1): greeting, beep, record until hang-up, '#', silence or the time limit,
/// then a polite goodbye and BYE, and the message handed to delivery. A call for no mailbox hears a
/// prompt and is ended.
/// </summary>
internal sealed class VoicemailCall
{
    internal sealed record Services(RtpPortRange Ports, MediaClock Clock, TimerWheel Timers, VoiceMessageSpool Spool,
        PromptLibrary Prompts, CallControllerOptions Options, TimeProvider Time, ILogger Logger);

    private static readonly AudioCodec[] Codecs = [AudioCodec.Pcmu, AudioCodec.Pcma];
    private static readonly MediaCapabilities Plain = new(Codecs);

    private readonly IncomingCall _call;
    private readonly SipDialog _dialog;
    private readonly MediaSession _media;
    private readonly DialPlan _dialPlan;
    private readonly Mailbox? _mailbox;
    private readonly string _extension;
    private readonly Services _s;
    private readonly CancellationToken _shutdown;
    private readonly MediaCapabilities _capabilities;
    private SessionDescription _lastAnswer;

    private VoicemailCall(IncomingCall call, SipDialog dialog, MediaSession media, SessionDescription answer, MediaCapabilities capabilities,
        DialPlan dialPlan, Mailbox? mailbox, string extension, Services services, CancellationToken shutdown)
    {
        (_call, _dialog, _media, _lastAnswer, _capabilities, _dialPlan, _mailbox, _extension, _s, _shutdown) =
            (call, dialog, media, answer, capabilities, dialPlan, mailbox, extension, services, shutdown);
    }

    /// <summary>
    /// SEC-3: a Secured dial plan requires SRTP with the server's suite preference; SipSecured and Unsecured
    /// never answer with SRTP (SDES offered on RTP/AVP gets plain RTP; an RTP/SAVP-only offer gets 488).
    /// </summary>
    internal static MediaCapabilities CapabilitiesFor(DialPlan dialPlan, UmServer? server)
    {
        if (dialPlan.VoipSecurity != VoipSecurity.Secured)
            return Plain;
        IReadOnlyList<SrtpSuite>? suites = null;
        if (server is { SrtpCryptoSuites.Count: > 0 })
        {
            // Validated when configured; a name this build does not know (store edited by hand) is skipped, and a
            // list with no known name at all falls back to the built-in order rather than refusing every call.
            suites = [.. server.SrtpCryptoSuites.Select(n => SrtpSuites.TryParse(n, out var s) ? s : null).OfType<SrtpSuite>()];
            if (suites.Count == 0)
                suites = null;
        }
        return new MediaCapabilities(Codecs, true, SrtpMode.Required, suites,
            server?.SrtpReplayWindow ?? UmServer.DefaultSrtpReplayWindow);
    }

    private string CallId => _call.Request.CallId ?? "";

    /// <summary>Negotiates media and answers (200 OK), or rejects the INVITE and returns null.</summary>
    public static VoicemailCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway,
        DialPlan dialPlan, Services s, CancellationToken shutdown)
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
        if (!SessionDescription.TryParse(Encoding.UTF8.GetString(sdpBody.Span), out var offer, out string? sdpError) || offer is null)
        {
            call.Reject(400, "Bad Request", [new SipHeader("Warning", $"399 openum \"Malformed SDP: {sdpError}\"")]);
            return null;
        }

        string? extension = null;
        string called = "";
        if (CalledParty.Find(invite) is { } found)
        {
            called = $"{found.Number} ({found.Source})";
            extension = CalledParty.ToExtension(found.Number, dialPlan.NumberOfDigitsInExtension);
        }
        var mailbox = extension is null ? null : config.FindMailbox(dialPlan.Name, extension);
        if (mailbox is null)
            CallEvents.InvalidExtensionInCall(s.Logger, invite.CallId ?? "", dialPlan.Name, called);

        var localAddress = call.Connection.Local.Address;
        if (localAddress.IsIPv4MappedToIPv6) localAddress = localAddress.MapToIPv4();
        MediaSession? media = null;
        try
        {
            media = MediaSession.Open(localAddress, s.Ports, s.Clock, s.Logger);
            var capabilities = CapabilitiesFor(dialPlan, config.FindUmServer(s.Options.ServerName));
            var result = OfferAnswer.Answer(offer, capabilities, localAddress, media.LocalPort);
            if (!result.Success || result.Answer is null || result.Media is null)
            {
                string reason = result.FailureReason ?? "no acceptable media";
                // 304 "Media type not available" for codecs; 399 for the security policy of a Secured dial plan.
                int warn = capabilities.Srtp == SrtpMode.Required ? 399 : 304;
                call.Reject(result.FailureStatus == 0 ? 488 : result.FailureStatus, "Not Acceptable Here",
                    [new SipHeader("Warning", $"{warn} openum \"{reason.Replace('"', '\'')}\"")]);
                CallEvents.CallRejected(s.Logger, RemoteAddress(call), call.Connection.Remote.Port,
                    $"dial plan {dialPlan.Name} ({dialPlan.VoipSecurity}): {reason}", "");
                _ = media.DisposeAsync().AsTask();
                return null;
            }
            var dialog = call.Accept(Encoding.UTF8.GetBytes(result.Answer.ToString()));
            media.Start(result.Media);
            string codec = result.Media.Srtp is { } srtp ? $"{result.Media.Codec}, SRTP {SrtpSuites.Name(srtp.Suite)}" : result.Media.Codec.ToString();
            CallEvents.CallAnswered(s.Logger, invite.CallId ?? "", CallerId(invite), gateway.Name,
                extension ?? "-", dialPlan.Name, codec);
            var voicemail = new VoicemailCall(call, dialog, media, result.Answer, capabilities, dialPlan, mailbox, extension ?? "", s, shutdown);
            dialog.OnReInvite = voicemail.OnReInvite;
            dialog.OnOfferlessReInvite = voicemail.OnOfferlessReInvite;
            return voicemail;
        }
        catch
        {
            if (media is not null) _ = media.DisposeAsync().AsTask();
            throw;
        }
    }

    /// <summary>Hold, resume and session refresh: answer the new offer and move the media accordingly.</summary>
    private ReadOnlyMemory<byte>? OnReInvite(SipMessage reInvite)
    {
        if (!SipBody.TryGetPart(reInvite, "application/sdp", out var body)
            || !SessionDescription.TryParse(Encoding.UTF8.GetString(body.Span), out var offer, out _) || offer is null)
            return null;
        var result = OfferAnswer.Answer(offer, _capabilities, _media.LocalAddress, _media.LocalPort, _lastAnswer.Origin);
        if (!result.Success || result.Answer is null || result.Media is null) return null;
        _lastAnswer = result.Answer;
        _media.Update(result.Media);
        return Encoding.UTF8.GetBytes(result.Answer.ToString());
    }

    /// <summary>
    /// A session refresh without SDP: our current session goes out as the offer, unchanged (RFC 3264 §8:
    /// same origin version, since nothing changed), and the peer's answer in the ACK is not needed.
    /// </summary>
    private ReadOnlyMemory<byte>? OnOfferlessReInvite() => Encoding.UTF8.GetBytes(_lastAnswer.ToString());

    /// <summary>Runs the call to its end; never throws.</summary>
    public async Task RunAsync()
    {
        string endReason = "completed";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        // The call ends when the dialog does (BYE, ACK timeout, transport loss) or at MaxCallDuration.
        var maxDuration = _s.Timers.Schedule(_dialPlan.MaxCallDuration, _ =>
        {
            endReason = "MaxCallDuration reached";
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }, null);
        _ = _dialog.Terminated.ContinueWith(t =>
        {
            // Our own BYE says nothing new: the reason that made us send it is already recorded.
            if (t.IsCompletedSuccessfully && t.Result.Reason != SipDialogEndReason.LocalBye) endReason = t.Result.Reason.ToString();
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }, TaskScheduler.Default);

        RecordingResult? recording = null;
        string spoolId = SpoolId();
        try
        {
            var ct = cts.Token;
            if (_mailbox is null)
            {
                await _media.PlayAsync(_s.Prompts.NoMailbox, ct).ConfigureAwait(false);
            }
            else
            {
                await PlayGreetingAsync(ct).ConfigureAwait(false);
                await _media.PlayAsync(_s.Prompts.Beep, ct).ConfigureAwait(false);
                var limits = new RecordingLimits(_dialPlan.MaxRecordingDuration, _dialPlan.RecordingIdleTimeout, '#');
                recording = await _media.RecordAsync(_s.Spool.RecordingPath(spoolId), limits, ct).ConfigureAwait(false);
                if (recording.Reason != RecordingStopReason.Cancelled)
                {
                    endReason = $"recording ended by {recording.Reason}";
                    await _media.PlayAsync(_s.Prompts.Goodbye, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            endReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, CallId, e.ToString());
        }

        _s.Timers.Cancel(maxDuration);
        await HangUpAsync().ConfigureAwait(false);
        bool secure = _media.IsSecure;
        await _media.DisposeAsync().ConfigureAwait(false);
        var srtpStats = secure ? _media.SrtpStatistics : null;
        CallEvents.CallEnded(_s.Logger, CallId, endReason);
        if (srtpStats is not null)
        {
            CallEvents.SrtpSummary(_s.Logger, srtpStats.Rejected > 0 ? LogLevel.Warning : LogLevel.Information, CallId,
                srtpStats.RtpAuthenticationFailures, srtpStats.RtpReplays, srtpStats.RtpOther,
                srtpStats.RtcpAuthenticationFailures, srtpStats.RtcpReplays, srtpStats.RtcpOther, srtpStats.RtcpPackets);
        }

        // A caller who hangs up during the greeting leaves no recording and no message.
        if (_mailbox is not null && recording is { Duration.Ticks: > 0 })
            await _s.Spool.SubmitAsync(spoolId, Message(_mailbox, recording), CancellationToken.None).ConfigureAwait(false);
        else if (recording is not null)
            TryDelete(recording.WavPath);
    }

    private async Task HangUpAsync()
    {
        if (_dialog.Terminated.IsCompleted) return;
        try { await _dialog.ByeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(40)).ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
        {
            // The peer is gone or did not answer the BYE: the call is over for us either way.
        }
    }

    private VoiceMessage Message(Mailbox mailbox, RecordingResult recording)
    {
        var invite = _call.Request;
        return new VoiceMessage(mailbox.EmailAddress, mailbox.DisplayName, CallerId(invite), invite.From?.DisplayName,
            _extension, _s.Time.GetUtcNow() - recording.Duration, recording.Duration, recording.WavPath, CallId);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>The mailbox's own greeting, else the default one, played part by part (nothing concatenated per call).</summary>
    private async Task PlayGreetingAsync(CancellationToken ct)
    {
        if (_mailbox?.GreetingFile is { } file && LoadGreeting(file) is { } own)
        {
            await _media.PlayAsync(own, ct).ConfigureAwait(false);
            return;
        }
        foreach (var part in _s.Prompts.DefaultGreetingParts(_extension))
            await _media.PlayAsync(part, ct).ConfigureAwait(false);
    }

    /// <summary>A greeting set with `openum mailbox set --greeting`; only files inside the data directory's greetings/ are read.</summary>
    private AudioClip? LoadGreeting(string file)
    {
        string greetings = Path.GetFullPath(Path.Combine(_s.Options.DataDirectory, "greetings")) + Path.DirectorySeparatorChar;
        string path = Path.GetFullPath(Path.Combine(_s.Options.DataDirectory, file));
        if (!path.StartsWith(greetings, StringComparison.Ordinal))
        {
            CallEvents.CallFailed(_s.Logger, CallId, $"greeting {file} lies outside {greetings}; the default greeting is played");
            return null;
        }
        try
        {
            using var stream = File.OpenRead(path);
            return AudioClip.FromWav(stream);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            CallEvents.CallFailed(_s.Logger, CallId, $"greeting {path} unusable, default greeting played: {e.Message}");
            return null;
        }
    }

    private static string RemoteAddress(IncomingCall call)
    {
        var a = call.Connection.Remote.Address;
        return (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString();
    }

    private static string CallerId(SipMessage invite) => invite.From?.Uri.User is { Length: > 0 } user ? user : "Anonymous";

    /// <summary>A spool name that cannot collide and reveals nothing of the Call-ID's content.</summary>
    private string SpoolId()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(CallId + "/" + _dialog.LocalTag), hash);
        return Convert.ToHexStringLower(hash[..12]);
    }
}
