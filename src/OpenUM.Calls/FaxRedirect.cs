using System.Globalization;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls;

/// <summary>
/// A fax machine calling a mailbox (Exchange 2010 SP1's partner fax model): while the greeting plays and the message
/// records, the caller's audio is watched for the fax calling tone (CNG). When it is heard the greeting or recording
/// stops at once, nothing is delivered, and the call is referred (REFER, RFC 3515, over the call's own connection)
/// to the mailbox policy's FaxServerUri (2075), or hung up on when the policy has none or does not allow fax (2076)
/// or the REFER fails (2077). Dial plans with FaxEnabled false are not watched.
/// </summary>
internal sealed class FaxRedirect : IDisposable
{
    /// <summary>The outcome that makes the spool discard a begun recording: a fax's tones are nobody's message.</summary>
    public static readonly RecordingOutcome NoMessage = new(TimeSpan.Zero);

    // How long the referred call may take to report a final status before the fax is given up (answering included).
    private static readonly TimeSpan ReferLimit = TimeSpan.FromSeconds(32);

    private readonly AnsweredCall _answered;
    private readonly MailboxPolicy? _policy;
    private readonly string _extension;
    private readonly CallServices _s;
    private readonly CancellationTokenSource? _cts;
    private readonly TimeSpan _referLimit;
    private volatile string? _phase;

    private FaxRedirect(AnsweredCall answered, MailboxPolicy? policy, string extension, CallServices s, CancellationToken call, bool watch, TimeSpan referLimit)
    {
        (_answered, _policy, _extension, _s, _referLimit) = (answered, policy, extension, s, referLimit);
        if (!watch)
        {
            Token = call;
            return;
        }
        _cts = CancellationTokenSource.CreateLinkedTokenSource(call);
        Token = _cts.Token;
        answered.Media.FaxToneDetected += OnFaxTone;
        answered.Media.StartFaxToneDetection();
    }

    /// <summary>
    /// Starts watching the call for the fax tone when <paramref name="dialPlan"/> has FaxEnabled and the call is for a
    /// mailbox (<paramref name="policy"/> not null); otherwise <see cref="Token"/> is just <paramref name="call"/>.
    /// </summary>
    public static FaxRedirect Watch(AnsweredCall answered, DialPlan dialPlan, MailboxPolicy? policy, string extension, CallServices s,
        CancellationToken call, TimeSpan? referLimit = null) =>
        new(answered, policy, extension, s, call, dialPlan.FaxEnabled && policy is not null, referLimit ?? ReferLimit);

    /// <summary>The call's token, also cancelled when the fax tone is heard: the greeting and the recording use it.</summary>
    public CancellationToken Token { get; }

    /// <summary>True once the fax tone was heard (during the greeting or the recording).</summary>
    public bool Detected => _phase is not null;

    /// <summary>Stops watching (the recording is over: a tone during the goodbye changes nothing).</summary>
    public void Stop()
    {
        if (_cts is null) return;
        _answered.Media.StopFaxToneDetection();
        _answered.Media.FaxToneDetected -= OnFaxTone;
    }

    // On the receive thread: remember when, and end the greeting or recording from the thread pool (their cancellation
    // callbacks are not the receive loop's business).
    private void OnFaxTone()
    {
        _phase ??= _answered.Entry.State == ActiveCallState.Recording ? "recording" : "greeting";
        try { _ = _cts!.CancelAsync(); } catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// After the tone: the REFER to the fax server, or nothing when there is none or fax is not allowed; logs 2075,
    /// 2076 or 2077 and returns why the call ends. The caller ends the call (BYE unless the gateway already did). Never throws.
    /// </summary>
    public async Task<string> RedirectAsync(string callId, CancellationToken shutdown)
    {
        string phase = _phase ?? "greeting";
        try
        {
            return await RedirectAsync(callId, phase, shutdown).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            CallEvents.FaxReferFailed(_s.Logger, callId, _extension, phase, _policy?.FaxServerUri ?? "", "error: " + e.Message);
            return "fax tone: REFER failed";
        }
    }

    private async Task<string> RedirectAsync(string callId, string phase, CancellationToken shutdown)
    {
        var policy = _policy!;
        if (!policy.AllowFax)
        {
            CallEvents.FaxCallDisconnected(_s.Logger, callId, _extension, phase,
                $"mailbox policy '{policy.Name}' does not allow fax (openum mailboxpolicy set --allow-fax true)");
            return "fax tone: fax not allowed";
        }
        if (policy.FaxServerUri is not { } text || !SipUri.TryParse(text, out var target) || target is null)
        {
            CallEvents.FaxCallDisconnected(_s.Logger, callId, _extension, phase,
                policy.FaxServerUri is not null ? $"mailbox policy '{policy.Name}' has a fax server URI that is not a SIP URI: {policy.FaxServerUri}"
                : policy.Id == Guid.Empty ? $"the mailbox has no mailbox policy, so no fax server (openum mailbox set {_extension} --mailbox-policy <a policy with --fax-server-uri>)"
                : $"mailbox policy '{policy.Name}' names no fax server (openum mailboxpolicy set {policy.Name} --fax-server-uri sip:...)");
            return "fax tone: no fax server";
        }
        var (referred, outcome) = await ReferAsync(target, shutdown).ConfigureAwait(false);
        if (referred)
        {
            CallEvents.FaxCallReferred(_s.Logger, callId, _extension, phase, target.ToString(), outcome);
            return "fax referred to " + target;
        }
        CallEvents.FaxReferFailed(_s.Logger, callId, _extension, phase, target.ToString(), outcome);
        return "fax tone: REFER failed";
    }

    // The REFER and the referred call's outcome: referred once the gateway reports the fax server answered, or accepted
    // the REFER and then hung up or ended the subscription without a final status (the call is its own then).
    private async Task<(bool Referred, string Outcome)> ReferAsync(SipUri target, CancellationToken shutdown)
    {
        var dialog = _answered.Dialog;
        if (dialog.Terminated.IsCompleted) return (false, "the caller hung up before the REFER");
        // Not cancelled by the caller's hang-up: the REFER transaction ends by itself (response or Timer F).
        var referring = dialog.ReferAsync(target, shutdown);
        await Task.WhenAny(referring, dialog.Terminated).ConfigureAwait(false);
        if (!referring.IsCompleted) return (false, "the caller hung up before the REFER was answered");
        SipReferResult refer;
        try { refer = await referring.ConfigureAwait(false); }
        catch (OperationCanceledException) { return (false, "the server is shutting down"); }
        if (!refer.Accepted)
            return (false, string.Create(CultureInfo.InvariantCulture, $"REFER answered {refer.StatusCode} {refer.ReasonPhrase}"));

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        limit.CancelAfter(_referLimit);
        await Task.WhenAny(refer.Outcome, dialog.Terminated, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false);
        if (refer.Outcome.IsCompletedSuccessfully && refer.Outcome.Result is { IsFinal: true } final)
        {
            string status = string.Create(CultureInfo.InvariantCulture, $"{final.StatusCode} {final.ReasonPhrase}");
            return final.Succeeded ? (true, "the fax server answered: " + status) : (false, "the referred call reported " + status);
        }
        if (dialog.Terminated.IsCompleted)
            return (true, "the gateway accepted the REFER and hung up");
        if (refer.Outcome.IsCompleted)
            return (true, "the gateway accepted the REFER");
        return (false, string.Create(CultureInfo.InvariantCulture, $"no final NOTIFY within {_referLimit.TotalSeconds:0} s"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _cts?.Dispose();
    }
}
