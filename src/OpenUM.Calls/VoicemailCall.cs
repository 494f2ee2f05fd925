using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenUM.Calls.SubscriberAccess;
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
/// prompt and is ended. During the greeting 0 transfers to the operator, * logs on to the mailbox and # skips to the
/// tone (<see cref="GreetingKeys"/>).
/// </summary>
internal sealed class VoicemailCall : ISubscriberLine
{
    private readonly IncomingCall _call;
    private readonly AnsweredCall _answered;
    private readonly MediaSession _media;
    private readonly ConfigurationSnapshot _config;
    private readonly IpGateway _gateway; // the one the call came in on: it receives the REFER of an operator transfer
    private readonly DialPlan _dialPlan;
    private readonly Mailbox? _mailbox;
    private readonly string _extension;
    private readonly CallServices _s;
    private readonly SubscriberAccessServices? _subscriber;
    private readonly PromptLibrary _prompts; // the mailbox's language, else the dial plan's
    private readonly CancellationToken _shutdown;

    private VoicemailCall(IncomingCall call, AnsweredCall answered, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        Mailbox? mailbox, string extension, CallServices services, SubscriberAccessServices? subscriber, CancellationToken shutdown)
    {
        (_call, _answered, _config, _gateway, _dialPlan, _mailbox, _extension, _s, _subscriber, _shutdown) =
            (call, answered, config, gateway, dialPlan, mailbox, extension, services, subscriber, shutdown);
        _media = answered.Media;
        _prompts = services.Prompts.For(dialPlan, mailbox);
    }

    private string CallId => _call.Request.CallId ?? "";

    /// <summary>Who called: number and name as cleaned text, and the caller's own mailbox.</summary>
    private CallingParty Caller { get; init; } = new("Anonymous", "", null);

    /// <summary>The mailbox's policy (its fax settings); null without a mailbox.</summary>
    private MailboxPolicy? Policy { get; init; }

    /// <summary>
    /// Finds the mailbox, negotiates media and answers (200 OK), or rejects the INVITE and returns null. With
    /// <paramref name="subscriber"/> (PIN checks, outdialing) the greeting's 0 and * keys work; without, only #.
    /// </summary>
    public static VoicemailCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway,
        DialPlan dialPlan, CallServices s, SubscriberAccessServices? subscriber, ActiveCall entry, CancellationToken shutdown)
    {
        var invite = call.Request;
        var (mailbox, extension, called) = CalledParty.FindMailbox(invite, config, dialPlan);
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, extension ?? "-", entry);
        if (answered is null)
            return null;
        if (mailbox is null)
            CallEvents.InvalidExtensionInCall(s.Logger, invite.CallId ?? "", dialPlan.Name, called);
        return new VoicemailCall(call, answered, config, gateway, dialPlan, mailbox, extension ?? "", s, subscriber, shutdown)
        {
            Caller = CallingParty.Find(invite, config, dialPlan),
            Policy = mailbox is null ? null : config.PolicyFor(mailbox),
        };
    }

    /// <inheritdoc />
    public Task PlayAsync(AudioClip clip, CancellationToken ct) => _media.PlayAsync(clip, ct);

    /// <summary>Runs the call to its end; never throws.</summary>
    public async Task RunAsync()
    {
        using var life = _answered.Watch(_s.Timers, _dialPlan.MaxCallDuration, _shutdown);
        // A fax machine's tone during the greeting or recording ends them through this token (FaxRedirect).
        using var fax = FaxRedirect.Watch(_answered, _dialPlan, Policy, _extension, _s, life.Token);

        SpooledRecording? spooled = null;
        RecordingOutcome? outcome = null;
        // Keys from RFC 4733 events and SIP INFO alike; after '*' they go on to the subscriber session.
        var keys = new GreetingKeys(_subscriber is null ? null : new DtmfCollector(_s.Timers));
        _media.DtmfReceived += keys.OnDigit;
        _answered.Dialog.InfoReceived += info => SubscriberAccessCall.OnInfo(info, keys.OnDigit);
        try
        {
            var ct = fax.Token;
            _answered.Entry.State = ActiveCallState.Greeting;
            if (_mailbox is null)
            {
                await _media.PlayAsync(_prompts.NoMailbox, ct).ConfigureAwait(false);
            }
            else if (await GreetingAsync(keys, fax, _mailbox, life, ct).ConfigureAwait(false) && !ct.IsCancellationRequested)
            {
                await _media.PlayAsync(_prompts.Beep, ct).ConfigureAwait(false);
                // The description goes to the spool before any audio: a recording that cannot be written still says who called.
                spooled = await _s.Spool.BeginAsync(Description(_mailbox)).ConfigureAwait(false);
                var limits = new RecordingLimits(_dialPlan.MaxRecordingDuration, _dialPlan.RecordingIdleTimeout, '#');
                _answered.Entry.State = ActiveCallState.Recording;
                (var recording, outcome) = await RecordAsync(spooled.AudioPath, limits, ct).ConfigureAwait(false);
                fax.Stop();
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
        finally
        {
            _media.DtmfReceived -= keys.OnDigit;
        }

        if (fax.Detected)
        {
            life.EndReason = await fax.RedirectAsync(CallId, _shutdown).ConfigureAwait(false);
            outcome = FaxRedirect.NoMessage;
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

    /// <summary>
    /// The greeting and what its keys ask for; true when the caller goes on to leave a message (the greeting ended or
    /// was skipped, or the operator could not be reached), false when the call is over for the recording: logged on
    /// (the subscriber session ran to its end) or transferred to the operator.
    /// </summary>
    private async Task<bool> GreetingAsync(GreetingKeys keys, FaxRedirect fax, Mailbox mailbox, CallLifetime life, CancellationToken ct)
    {
        var action = await keys.PlayAsync(PlayGreetingAsync, ct).ConfigureAwait(false);
        switch (action)
        {
            case GreetingAction.Skip:
                CallEvents.GreetingSkipped(_s.Logger, CallId, mailbox.Extension, _dialPlan.Name);
                return true;
            case GreetingAction.Logon when _subscriber is not null && keys.LogonKeys is { } logonKeys:
                // The mailbox's owner calling their own number: its PIN only, then the usual session (CALL-2), where a
                // fax tone means nothing any more.
                fax.Stop();
                CallEvents.GreetingLogon(_s.Logger, CallId, mailbox.Extension, _dialPlan.Name);
                _answered.Entry.State = ActiveCallState.SubscriberAccess;
                var end = await SubscriberAccessCall.ForAnswered(_call, _answered, _config, _gateway, _dialPlan, _s, _subscriber, _shutdown)
                    .SessionAsync(logonKeys, mailbox.Extension, ct).ConfigureAwait(false);
                life.EndReason = $"subscriber access from the greeting: {end}";
                return false;
            case GreetingAction.Operator when _subscriber is not null:
                fax.Stop();
                var transfer = new BlindTransfer(_answered.Dialog, _gateway, _dialPlan, _shutdown);
                var result = await new OperatorTransfer(this, _prompts, _subscriber.Outdialing, _s.Logger).RunAsync(
                    new OperatorTransferCall(_config, _dialPlan, CallId, mailbox.Extension, AnsweredCall.CallerId(_call.Request),
                        transfer.RunAsync, _gateway.Name), ct).ConfigureAwait(false);
                if (result == OperatorTransferResult.LineGone)
                {
                    if (!ct.IsCancellationRequested) life.EndReason = "transferred to the operator";
                    return false;
                }
                // No operator, refused or failed: the caller was told why and still has the message to leave.
                await _media.PlayAsync(_prompts.LeaveMessage, ct).ConfigureAwait(false);
                return true;
            default:
                return true;
        }
    }

    /// <summary>The mailbox's away or own greeting, else the default one, played part by part (nothing concatenated per call).</summary>
    private async Task PlayGreetingAsync(CancellationToken ct)
    {
        var parts = _mailbox is null ? [.. _prompts.DefaultGreetingParts(_extension)]
            : MailboxGreeting.Parts(_s.Options.DataDirectory, _mailbox, _extension, _prompts,
                problem => CallEvents.CallFailed(_s.Logger, CallId, $"{problem}; the next greeting is played"));
        foreach (var part in parts)
        {
            // A hang-up or a barge-in key ends the greeting here, without an exception rethrown at each level up to
            // RunAsync (most calls end during the greeting, and those throws cost more than the rest of its work).
            var play = _media.PlayAsync(part, ct);
            await play.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (play.IsCanceled) return;
            await play.ConfigureAwait(false); // a failure still throws
        }
    }
}
