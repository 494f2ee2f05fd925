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
    private readonly IncomingCall _call;
    private readonly AnsweredCall _answered;
    private readonly MediaSession _media;
    private readonly DialPlan _dialPlan;
    private readonly Mailbox? _mailbox;
    private readonly string _extension;
    private readonly CallServices _s;
    private readonly PromptLibrary _prompts; // the mailbox's language, else the dial plan's
    private readonly CancellationToken _shutdown;

    private VoicemailCall(IncomingCall call, AnsweredCall answered, DialPlan dialPlan, Mailbox? mailbox, string extension,
        CallServices services, CancellationToken shutdown)
    {
        (_call, _answered, _dialPlan, _mailbox, _extension, _s, _shutdown) = (call, answered, dialPlan, mailbox, extension, services, shutdown);
        _media = answered.Media;
        _prompts = services.Prompts.For(dialPlan, mailbox);
    }

    private string CallId => _call.Request.CallId ?? "";

    /// <summary>Who called: number and name as cleaned text, and the caller's own mailbox.</summary>
    private CallingParty Caller { get; init; } = new("Anonymous", "", null);

    /// <summary>Finds the mailbox, negotiates media and answers (200 OK), or rejects the INVITE and returns null.</summary>
    public static VoicemailCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway,
        DialPlan dialPlan, CallServices s, ActiveCall entry, CancellationToken shutdown)
    {
        var invite = call.Request;
        var (mailbox, extension, called) = CalledParty.FindMailbox(invite, config, dialPlan);
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, extension ?? "-", entry);
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
            _answered.Entry.State = ActiveCallState.Greeting;
            if (_mailbox is null)
            {
                await _media.PlayAsync(_prompts.NoMailbox, ct).ConfigureAwait(false);
            }
            else
            {
                await PlayGreetingAsync(ct).ConfigureAwait(false);
                await _media.PlayAsync(_prompts.Beep, ct).ConfigureAwait(false);
                // The description goes to the spool before any audio: a recording that cannot be written still says who called.
                spooled = await _s.Spool.BeginAsync(Description(_mailbox)).ConfigureAwait(false);
                var limits = new RecordingLimits(_dialPlan.MaxRecordingDuration, _dialPlan.RecordingIdleTimeout, '#');
                _answered.Entry.State = ActiveCallState.Recording;
                (var recording, outcome) = await RecordAsync(spooled.AudioPath, limits, ct).ConfigureAwait(false);
                CallMetrics.RecordingEnded(recording.Reason, recording.Duration);
                if (recording.Reason != RecordingStopReason.Cancelled && !ct.IsCancellationRequested)
                {
                    // Also after a write failure: the caller hears the normal end, the message goes out marked incomplete.
                    life.EndReason = $"recording ended by {recording.Reason}";
                    _answered.Entry.State = ActiveCallState.Goodbye;
                    await _media.PlayAsync(_prompts.Goodbye, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            life.EndReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, CallId, e.ToString());
            CallMetrics.CallFailed();
        }

        await _answered.EndAsync(life.EndReason).ConfigureAwait(false);

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
        if (_mailbox?.GreetingFile is { } file)
        {
            if (GreetingStore.Load(_s.Options.DataDirectory, file, out string? problem) is { } own)
            {
                await _media.PlayAsync(own, ct).ConfigureAwait(false);
                return;
            }
            CallEvents.CallFailed(_s.Logger, CallId, $"{problem}; the default greeting is played");
        }
        foreach (var part in _prompts.DefaultGreetingParts(_extension))
            await _media.PlayAsync(part, ct).ConfigureAwait(false);
    }
}
