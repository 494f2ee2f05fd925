using OpenUM.Directory;

namespace OpenUM.Calls.SubscriberAccess;

// Choosing a new PIN by phone: forced after a reset or expiry, or from the personal options.
public sealed partial class SubscriberSession
{
    /// <summary>New PINs refused (by the policy, or two entries that differ) before the session gives up.</summary>
    public const int MaxPinChangeAttempts = 3;

    private enum PinChangeEnd { Changed, GaveUp, NoInput, Unavailable }

    /// <summary>The change a PIN marked must-change (or expired) needs before anything else; null when changed, else how the session ends.</summary>
    private async Task<SubscriberSessionEnd?> ForcedPinChangeAsync(Mailbox mailbox, ISelfService self, CancellationToken ct)
    {
        CallEvents.PinChangeRequired(context.Logger, mailbox.Extension, mailbox.DialPlan, context.CallId);
        await PlayAsync(S.PinMustChange, ct).ConfigureAwait(false);
        switch (await ChangePinAsync(mailbox, self, forced: true, ct).ConfigureAwait(false))
        {
            case PinChangeEnd.Changed:
                return null;
            case PinChangeEnd.NoInput:
                return await NoInputAsync(ct).ConfigureAwait(false);
            case PinChangeEnd.Unavailable:
                return SubscriberSessionEnd.StoreUnavailable;
            default:
                await PlayAsync(P.TooManyFailures, ct).ConfigureAwait(false);
                return SubscriberSessionEnd.PinNotChanged;
        }
    }

    /// <summary>
    /// New PIN, the same again, then the mailbox policy's rules (the validator of `openum mailbox set-pin`). A refusal is
    /// spoken generically and the caller tries again, at most <see cref="MaxPinChangeAttempts"/> times; the reason goes
    /// to the event only. Neither the PIN nor the digits ever reach an event.
    /// </summary>
    private async Task<PinChangeEnd> ChangePinAsync(Mailbox mailbox, ISelfService self, bool forced, CancellationToken ct)
    {
        for (int attempt = 1; attempt <= MaxPinChangeAttempts; attempt++)
        {
            // A caller who knows the drill types ahead: the two prompts stop at the first key (the refusals never do).
            await InterruptibleAsync(S.ChoosePin, ct).ConfigureAwait(false);
            var first = await keys.ReadAsync(Entry(MaxPinDigits), ct).ConfigureAwait(false);
            if (first.Digits.Length == 0 && first.End == DtmfEnd.Timeout) return PinChangeEnd.NoInput;
            await InterruptibleAsync(S.ConfirmPin, ct).ConfigureAwait(false);
            var second = await keys.ReadAsync(Entry(MaxPinDigits), ct).ConfigureAwait(false);
            if (second.Digits.Length == 0 && second.End == DtmfEnd.Timeout) return PinChangeEnd.NoInput;

            if (first.Digits != second.Digits)
            {
                CallEvents.PinChangeRefused(context.Logger, mailbox.Extension, mailbox.DialPlan, "the two entries differ", attempt, MaxPinChangeAttempts, context.CallId);
                keys.Clear();
                await PlayAsync(S.PinsDiffer, ct).ConfigureAwait(false);
                continue;
            }
            var outcome = await self.ChangePinAsync(mailbox, first.Digits).ConfigureAwait(false);
            switch (outcome.Result)
            {
                case SelfServiceResult.Done:
                    CallEvents.PinChangedByPhone(context.Logger, mailbox.Extension, mailbox.DialPlan, forced, context.CallId);
                    await PlayAsync(S.PinChanged, ct).ConfigureAwait(false);
                    return PinChangeEnd.Changed;
                case SelfServiceResult.Unavailable:
                    CallEvents.SelfServiceUnavailable(context.Logger, mailbox.Extension, mailbox.DialPlan, "change the PIN", outcome.Problem ?? "", context.CallId);
                    await PlayAsync(S.SettingsUnavailable, ct).ConfigureAwait(false);
                    return PinChangeEnd.Unavailable;
                default:
                    CallEvents.PinChangeRefused(context.Logger, mailbox.Extension, mailbox.DialPlan, outcome.Problem ?? "refused", attempt, MaxPinChangeAttempts, context.CallId);
                    keys.Clear(); // keys typed ahead were meant for a PIN that was refused
                    await PlayAsync(S.PinRejected, ct).ConfigureAwait(false);
                    break;
            }
        }
        return PinChangeEnd.GaveUp;
    }
}
