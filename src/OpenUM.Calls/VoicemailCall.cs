using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenUM.Delivery;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;
using OpenUM.Media.Srtp;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;

namespace OpenUM.Calls;

/// <summary>
/// One answered call (CALL-1): greeting, beep, record until hang-up, '#', silence or the time limit,
/// then a polite goodbye and BYE, and the message handed to delivery. A call for no mailbox hears a
/// prompt and is ended.
/// </summary>
internal sealed class VoicemailCall
{
    internal sealed record Services(RtpPortRange Ports, MediaClock Clock, TimerWheel Timers, IVoiceMessageSpool Spool,
        PromptLibrary Prompts, CallControllerOptions Options, TimeProvider Time, ILogger Logger);

    private static readonly AudioCodec[] Codecs = [AudioCodec.Pcmu, AudioCodec.Pcma];
    private static readonly MediaCapabilities Plain = new(Codecs);

    private readonly IncomingCall _call;
    private readonly AnsweredCall _answered;
    private readonly SipDialog _dialog;
    private readonly MediaSession _media;
    private readonly DialPlan _dialPlan;
    private readonly Mailbox? _mailbox;
    private readonly string _extension;
    private readonly Services _s;
    private readonly CancellationToken _shutdown;

    private VoicemailCall(IncomingCall call, AnsweredCall answered, DialPlan dialPlan, Mailbox? mailbox, string extension,
        Services services, CancellationToken shutdown)
    {
        (_call, _answered, _dialPlan, _mailbox, _extension, _s, _shutdown) = (call, answered, dialPlan, mailbox, extension, services, shutdown);
        (_dialog, _media) = (answered.Dialog, answered.Media);
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

    /// <summary>Who called: number and name as cleaned text, and the caller's own mailbox.</summary>
    private CallingParty Caller { get; init; } = new("Anonymous", "", null);

    /// <summary>Finds the mailbox, negotiates media and answers (200 OK), or rejects the INVITE and returns null.</summary>
    public static VoicemailCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway,
        DialPlan dialPlan, Services s, CancellationToken shutdown)
    {
        var invite = call.Request;
        string? extension = null;
        string called = "";
        if (CalledParty.Find(invite) is { } found)
        {
            called = $"{found.Number} ({found.Source})";
            extension = CalledParty.ToExtension(found.Number, dialPlan.NumberOfDigitsInExtension);
        }
        var mailbox = extension is null ? null : config.FindMailbox(dialPlan.Name, extension);
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, extension ?? "-");
        if (answered is null)
            return null;
        if (mailbox is null)
            CallEvents.InvalidExtensionInCall(s.Logger, invite.CallId ?? "", dialPlan.Name, called);
        return new VoicemailCall(call, answered, dialPlan, mailbox, extension ?? "", s, shutdown)
        {
            Caller = CallingParty.Find(invite, config, dialPlan),
        };
    }

    /// <summary>Runs the call to its end; never throws.</summary>
    public async Task RunAsync()
    {
        using var life = _answered.Watch(_s.Timers, _dialPlan.MaxCallDuration, _shutdown);

        SpooledRecording? spooled = null;
        RecordingOutcome? outcome = null;
        try
        {
            var ct = life.Token;
            if (_mailbox is null)
            {
                await _media.PlayAsync(_s.Prompts.NoMailbox, ct).ConfigureAwait(false);
            }
            else
            {
                await PlayGreetingAsync(ct).ConfigureAwait(false);
                await _media.PlayAsync(_s.Prompts.Beep, ct).ConfigureAwait(false);
                // The description goes to the spool before any audio: a recording that cannot be written still says who called.
                spooled = await _s.Spool.BeginAsync(Description(_mailbox)).ConfigureAwait(false);
                var limits = new RecordingLimits(_dialPlan.MaxRecordingDuration, _dialPlan.RecordingIdleTimeout, '#');
                (var recording, outcome) = await RecordAsync(spooled.AudioPath, limits, ct).ConfigureAwait(false);
                if (recording.Reason != RecordingStopReason.Cancelled && !ct.IsCancellationRequested)
                {
                    // Also after a write failure: the caller hears the normal end, the message goes out marked incomplete.
                    life.EndReason = $"recording ended by {recording.Reason}";
                    await _media.PlayAsync(_s.Prompts.Goodbye, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            life.EndReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, CallId, e.ToString());
        }

        await HangUpAsync().ConfigureAwait(false);
        await _answered.CloseMediaAsync().ConfigureAwait(false);
        CallEvents.CallEnded(_s.Logger, CallId, life.EndReason);

        // Whatever happened, a begun recording is handed over (the spool discards one without audio, unless incomplete).
        if (spooled is not null)
            await _s.Spool.SubmitAsync(spooled, outcome ?? new RecordingOutcome(TimeSpan.Zero, "the call failed before the recording ended"),
                CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Records into the spool's file. A write failure ends the recording (WriteFailed) rather than the call; a file that
    /// cannot even be created (read-only or full file system) is a recording with nothing kept, not a failed call.
    /// </summary>
    private async Task<(RecordingResult Result, RecordingOutcome Outcome)> RecordAsync(string path, RecordingLimits limits, CancellationToken ct)
    {
        RecordingResult recording;
        try
        {
            recording = await _media.RecordAsync(path, limits, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is IOException io ? RecordingWriteError.Describe(io) : "access denied";
            return (new RecordingResult(RecordingStopReason.WriteFailed, TimeSpan.Zero, path) { WriteError = reason },
                new RecordingOutcome(TimeSpan.Zero, $"the recording file could not be created ({reason})"));
        }
        return (recording, recording.Reason == RecordingStopReason.WriteFailed
            ? new RecordingOutcome(recording.Duration, string.Create(CultureInfo.InvariantCulture,
                $"write failed after {recording.Duration.TotalSeconds:F1} s ({recording.WriteError ?? "write error"})"))
            : new RecordingOutcome(recording.Duration));
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

    /// <summary>The message as known when the recording starts; its length and completeness come at the end.</summary>
    private VoiceMessage Description(Mailbox mailbox) =>
        new(mailbox.EmailAddress, mailbox.DisplayName, Caller.Number, Caller.Name.Length > 0 ? Caller.Name : null,
            _extension, _s.Time.GetUtcNow(), TimeSpan.Zero, "", CallId)
        {
            CallerMailboxAddress = Caller.Mailbox?.EmailAddress,
            CallerMailboxName = Caller.Mailbox?.DisplayName,
        };

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
        string greetings = Path.GetFullPath(Path.Combine(_s.Options.DataDirectory, GreetingStore.FolderName)) + Path.DirectorySeparatorChar;
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
}
