using Microsoft.Extensions.Logging;
using OpenUM.Calls.Outdialing;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>Checks an extension and PIN (the production one is <see cref="PinAuthenticator.LogonAsync"/> for the call's dial plan).</summary>
public delegate ValueTask<LogonOutcome> SubscriberLogon(string extension, ReadOnlyMemory<char> pin);

/// <summary>The audio side of a subscriber call: the session only plays clips and reads keys.</summary>
public interface ISubscriberLine
{
    /// <summary>Plays a clip; completes after its last frame, or is cancelled (hang-up, barge-in).</summary>
    Task PlayAsync(AudioClip clip, CancellationToken ct);

    /// <summary>Records the caller into a new WAV file (a greeting or name by phone); a line that cannot record says so.</summary>
    Task<RecordingResult> RecordAsync(string wavPath, RecordingLimits limits, CancellationToken ct) =>
        throw new NotSupportedException("this line cannot record");
}

/// <summary>How long the session waits for keys, and how patient the message menu is.</summary>
public sealed record SubscriberTimeouts
{
    /// <summary>Wait for the first key of an extension or PIN.</summary>
    public TimeSpan FirstDigit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Wait between keys of an extension or PIN.</summary>
    public TimeSpan InterDigit { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Wait for a menu key after the menu prompt.</summary>
    public TimeSpan MenuKey { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>Menu prompts repeated without an answer before the session says goodbye.</summary>
    public int MenuRepeats { get; init; } = 3;
}

/// <summary>Why a subscriber session ended.</summary>
public enum SubscriberSessionEnd
{
    /// <summary>All messages heard (or none), goodbye said.</summary>
    Completed,
    /// <summary>LogonFailuresBeforeDisconnect failed logons in this call (1013).</summary>
    TooManyFailures,
    /// <summary>The mailbox is locked out (1012).</summary>
    LockedOut,
    /// <summary>Logon refused for another reason (no PIN, expired PIN, subscriber access not allowed).</summary>
    Refused,
    /// <summary>No key pressed when one was needed.</summary>
    NoInput,
    /// <summary>The caller was transferred to the sender of a message (call back, REFER): the line is no longer ours.</summary>
    Transferred,
    /// <summary>The PIN could not be checked: the configuration store was unavailable (2034); nothing was counted.</summary>
    StoreUnavailable,
    /// <summary>Logged on, but the message store could not be reached (2035): the caller was asked to call again later.</summary>
    MessagesUnavailable,
    /// <summary>The PIN had to be changed (2083) and no acceptable new one was chosen, or it could not be stored: goodbye.</summary>
    PinNotChanged,
}

/// <summary>What the session needs besides the line: the call, the checks and the message store.</summary>
/// <param name="Messages">Where the mailbox's messages are read (empty mailboxes when messages go by SMTP and the server keeps none).</param>
/// <param name="AuthorizeCallBack">The outdialing verdict for calling the sender back (the engine logs 1076 on a refusal).</param>
/// <param name="TransferCallBack">
/// Transfers the caller to an allowed call-back (the decision's dial string); true when the call is no longer ours,
/// false when the transfer failed and the caller is still on the line. Null: calls cannot be transferred.
/// </param>
public sealed record SubscriberSessionContext(DialPlan DialPlan, string CallId, string CallerId, SubscriberLogon Logon,
    IVoiceMessageStore Messages, Func<Mailbox, MailboxPolicy?, StoredMessage, OutdialingDecision> AuthorizeCallBack,
    SubscriberPrompts Prompts, Func<string, IEnumerable<AudioClip>> Digits, ILogger Logger,
    Func<Mailbox, StoredMessage, OutdialingDecision, CancellationToken, Task<bool>>? TransferCallBack = null)
{
    /// <summary>
    /// The extension of the caller's own mailbox when the call identifies it (a SipName dial plan's user calling from
    /// their SIP address): the session asks only for the PIN. Null: the caller keys in the extension.
    /// </summary>
    public string? CallerExtension { get; init; }

    /// <summary>
    /// Self-service by phone: the main menu with personal options (greetings, name, away, PIN) and the forced change of
    /// a PIN that must be changed. Null: none of it; after logon the messages play at once and such a PIN is refused.
    /// </summary>
    public ISelfService? SelfService { get; init; }

    /// <summary>
    /// The prompts once the caller has logged on to a mailbox (its language, else the dial plan's); null keeps
    /// <see cref="Prompts"/> and <see cref="Digits"/> for the whole call.
    /// </summary>
    public Func<Mailbox, PromptLibrary>? MailboxPrompts { get; init; }
}

/// <summary>
/// Subscriber access (CALL-2) as a state machine over a line and a <see cref="DtmfCollector"/>: extension,
/// PIN (retries until the dial plan's LogonFailuresBeforeDisconnect, 1013; lockout 1012; success 1036),
/// then the new messages newest first, with 1 replay, 3 delete, 5 call back the sender, 6 next.
/// </summary>
public sealed partial class SubscriberSession(ISubscriberLine line, DtmfCollector keys, SubscriberSessionContext context, SubscriberTimeouts? timeouts = null)
{
    private const int MaxPinDigits = 24; // MinPINLength's upper bound
    private readonly SubscriberTimeouts _t = timeouts ?? new SubscriberTimeouts();
    private SubscriberPrompts _prompts = context.Prompts;
    private Func<string, IEnumerable<AudioClip>> _digits = context.Digits;
    private SubscriberPrompts P => _prompts;

    // Once logged on, the user's own language (else the dial plan's) for the rest of the call.
    private void UseMailboxLanguage(Mailbox mailbox)
    {
        if (context.MailboxPrompts?.Invoke(mailbox) is { } own) (_prompts, _digits) = (own.Subscriber, own.Digits);
    }

    /// <summary>Runs the session; hang-up cancels it. The caller sends BYE afterwards whatever the outcome.</summary>
    public async Task<SubscriberSessionEnd> RunAsync(CancellationToken ct)
    {
        var plan = context.DialPlan;
        int failures = 0;
        int limit = Math.Max(1, plan.LogonFailuresBeforeDisconnect);
        string? extension = context.CallerExtension;
        while (true)
        {
            if (extension is null)
            {
                await PlayAsync(P.EnterExtension, ct).ConfigureAwait(false);
                var typed = await keys.ReadAsync(Entry(plan.NumberOfDigitsInExtension), ct).ConfigureAwait(false);
                if (typed.Digits.Length == 0 && typed.End == DtmfEnd.Timeout) return await NoInputAsync(ct).ConfigureAwait(false);
                extension = typed.Digits;
            }
            await PlayAsync(P.EnterPin, ct).ConfigureAwait(false);
            var pin = await keys.ReadAsync(Entry(MaxPinDigits), ct).ConfigureAwait(false);
            if (pin.Digits.Length == 0 && pin.End == DtmfEnd.Timeout) return await NoInputAsync(ct).ConfigureAwait(false);

            var outcome = await context.Logon(extension, pin.Digits.AsMemory()).ConfigureAwait(false);
            switch (outcome.Result)
            {
                case LogonResult.Success when outcome.Mailbox is { } mailbox:
                    CallEvents.SuccessfulLogon(context.Logger, extension, plan.Name, context.CallId);
                    UseMailboxLanguage(mailbox);
                    return await LoggedOnAsync(mailbox, outcome.Policy, ct).ConfigureAwait(false);
                case LogonResult.PinExpired when outcome.Mailbox is { } mailbox && context.SelfService is { } self:
                    // The right PIN, but one somebody else has seen or too old: a new one first, then the menus.
                    UseMailboxLanguage(mailbox);
                    if (await ForcedPinChangeAsync(mailbox, self, ct).ConfigureAwait(false) is { } notChanged) return notChanged;
                    CallEvents.SuccessfulLogon(context.Logger, extension, plan.Name, context.CallId);
                    return await LoggedOnAsync(mailbox, outcome.Policy, ct).ConfigureAwait(false);
                case LogonResult.LockedOut:
                    CallEvents.MailboxLocked(context.Logger, extension, plan.Name, outcome.ConsecutiveFailures, context.CallId);
                    await PlayAsync(P.MailboxLocked, ct).ConfigureAwait(false);
                    return SubscriberSessionEnd.LockedOut;
                case LogonResult.StoreUnavailable:
                    // Neither a wrong PIN nor a refusal: the caller is told to try later, and no failure is counted.
                    CallEvents.SubscriberLogonUnavailable(context.Logger, extension, plan.Name, outcome.Problem ?? "", context.CallId);
                    await PlayAsync(P.PinUnavailable, ct).ConfigureAwait(false);
                    return SubscriberSessionEnd.StoreUnavailable;
                case LogonResult.NoPin or LogonResult.PinExpired or LogonResult.NotAllowed:
                    CallEvents.SubscriberLogonRefused(context.Logger, extension, plan.Name, outcome.Result.ToString(), context.CallId);
                    await PlayAsync(P.AccessDenied, ct).ConfigureAwait(false);
                    return SubscriberSessionEnd.Refused;
            }

            // A wrong PIN or an extension without mailbox: the same count, so probing extensions costs as much as PINs.
            bool unknown = outcome.Result is LogonResult.UnknownMailbox || outcome.Mailbox is null && outcome.Result != LogonResult.WrongPin;
            if (++failures >= limit)
            {
                CallEvents.LogonDisconnect(context.Logger, context.CallId, context.CallerId, failures, plan.Name);
                await PlayAsync(P.TooManyFailures, ct).ConfigureAwait(false);
                return SubscriberSessionEnd.TooManyFailures;
            }
            await PlayAsync(unknown ? P.InvalidExtension : P.WrongPin, ct).ConfigureAwait(false);
            if (unknown) extension = null;
        }
    }

    // One key more than the longest valid entry, so the '#' after a full-length entry ends this read
    // instead of staying typed ahead for the next one; anything longer fails the check anyway.
    private DtmfRequest Entry(int maxDigits) => new(maxDigits + 1, '#', _t.FirstDigit, _t.InterDigit);

    private async Task<SubscriberSessionEnd> NoInputAsync(CancellationToken ct)
    {
        await PlayAsync(P.TooManyFailures, ct).ConfigureAwait(false);
        return SubscriberSessionEnd.NoInput;
    }

    /// <summary>The messages (today's flow, to its end), with the message store's outage said as such.</summary>
    private async Task<SubscriberSessionEnd> MessagesEndAsync(Mailbox mailbox, MailboxPolicy? policy, CancellationToken ct)
    {
        try
        {
            return await MessagesAsync(mailbox, policy, ct).ConfigureAwait(false)
                ? SubscriberSessionEnd.Transferred : SubscriberSessionEnd.Completed;
        }
        catch (MessageStoreUnavailableException e)
        {
            // Not "no messages": the caller would wrongly believe the mailbox empty.
            CallEvents.VoiceMailboxUnavailable(context.Logger, mailbox.Extension, context.DialPlan.Name, e.Message, context.CallId);
            await PlayAsync(P.MessagesUnavailable, ct).ConfigureAwait(false);
            return SubscriberSessionEnd.MessagesUnavailable;
        }
    }

    /// <summary>Plays the messages with their menu; true when the caller was transferred (call back).</summary>
    private async Task<bool> MessagesAsync(Mailbox mailbox, MailboxPolicy? policy, CancellationToken ct)
    {
        await using var store = await context.Messages.OpenAsync(mailbox.EmailAddress, ct).ConfigureAwait(false);
        var messages = await store.ListAsync(ct).ConfigureAwait(false);
        if (messages.Count == 0)
        {
            await PlayAsync(P.NoMessages, ct).ConfigureAwait(false);
            return false;
        }
        // "You have one new message", "Vous avez deux nouveaux messages": the language builds the sentence.
        foreach (var part in P.MessageCount(messages.Count(m => m.IsNew)))
            await PlayAsync(part, ct).ConfigureAwait(false);

        foreach (var message in messages)
        {
            var exit = await OneMessageAsync(store, mailbox, policy, message, ct).ConfigureAwait(false);
            if (exit != MenuExit.Next) return exit == MenuExit.Transferred;
        }
        await PlayAsync(P.NoMoreMessages, ct).ConfigureAwait(false);
        return false;
    }

    private enum MenuExit { Next, Silent, Transferred }

    /// <summary>Plays one message and runs its menu: on to the next one, the caller stopped answering, or was transferred.</summary>
    private async Task<MenuExit> OneMessageAsync(IVoiceMailbox store, Mailbox mailbox, MailboxPolicy? policy, StoredMessage message, CancellationToken ct)
    {
        var audio = MessageAudio.Decode(await store.ReadAudioAsync(message, ct).ConfigureAwait(false));
        int silentMenus = 0;
        bool play = true;
        while (true)
        {
            if (play)
            {
                await InterruptibleAsync(P.MessageFrom, ct).ConfigureAwait(false);
                if (message.CallerId.Length > 0 && message.CallerId.All(char.IsAsciiDigit))
                    foreach (var digit in _digits(message.CallerId)) await InterruptibleAsync(digit, ct).ConfigureAwait(false);
                else await InterruptibleAsync(P.UnknownCaller, ct).ConfigureAwait(false);
                if (audio is not null) await InterruptibleAsync(audio, ct).ConfigureAwait(false);
                message = await store.MarkHeardAsync(message, ct).ConfigureAwait(false);
                play = false;
            }
            await InterruptibleAsync(P.MessageMenu, ct).ConfigureAwait(false);
            var key = await keys.ReadAsync(DtmfRequest.Key(_t.MenuKey), ct).ConfigureAwait(false);
            switch (key.Digits)
            {
                case "1":
                    play = true;
                    break;
                case "3":
                    if (await store.DeleteAsync(message, ct).ConfigureAwait(false))
                        CallEvents.VoiceMessageRemoved(context.Logger, mailbox.Extension, context.DialPlan.Name, message.Id);
                    await PlayAsync(P.MessageDeleted, ct).ConfigureAwait(false);
                    return MenuExit.Next;
                case "5":
                    var decision = context.AuthorizeCallBack(mailbox, policy, message);
                    if (!decision.Allowed)
                    {
                        await PlayAsync(P.CannotCall, ct).ConfigureAwait(false);
                        break;
                    }
                    // A blind transfer, as Exchange UM did it: the gateway places the call and we leave the line.
                    await PlayAsync(P.TransferringCall, ct).ConfigureAwait(false);
                    if (context.TransferCallBack is { } transfer && await transfer(mailbox, message, decision, ct).ConfigureAwait(false))
                        return MenuExit.Transferred;
                    await PlayAsync(P.TransferFailed, ct).ConfigureAwait(false);
                    break;
                case "6":
                    return MenuExit.Next;
                case "":
                    if (++silentMenus >= _t.MenuRepeats) return MenuExit.Silent;
                    break;
            }
        }
    }

    private Task PlayAsync(AudioClip clip, CancellationToken ct) => line.PlayAsync(clip, ct);

    /// <summary>Plays until the clip ends or a key is pressed (the key stays for the next read).</summary>
    private async Task InterruptibleAsync(AudioClip clip, CancellationToken ct)
    {
        if (keys.Buffered > 0) return;
        using var bargeIn = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void Stop()
        {
            try { bargeIn.Cancel(); } catch (ObjectDisposedException) { }
        }
        keys.KeyPressed += Stop;
        try
        {
            if (keys.Buffered > 0) return; // pressed between the check and the subscription
            await line.PlayAsync(clip, bargeIn.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        finally { keys.KeyPressed -= Stop; }
    }
}
