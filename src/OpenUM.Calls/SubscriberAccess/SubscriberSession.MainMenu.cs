using OpenUM.Directory;

namespace OpenUM.Calls.SubscriberAccess;

// The main menu after logon and the personal options (Outlook Voice Access's keys: 1 voice mail, 6 personal options).
public sealed partial class SubscriberSession
{
    /// <summary>Main menu key: the messages.</summary>
    public const char MessagesKey = '1';
    /// <summary>Main menu key: the personal options (Exchange's Outlook Voice Access uses 6 too).</summary>
    public const char PersonalOptionsKey = '6';

    private SelfServicePrompts S => P.SelfService;   // the logged-on user's language

    /// <summary>After logon: the main menu when self-service is on, otherwise the messages at once (as before it existed).</summary>
    private async Task<SubscriberSessionEnd> LoggedOnAsync(Mailbox mailbox, MailboxPolicy? policy, CancellationToken ct)
    {
        if (context.SelfService is not { } self) return await MessagesEndAsync(mailbox, policy, ct).ConfigureAwait(false);
        int silent = 0;
        while (true)
        {
            await InterruptibleAsync(S.MainMenu, ct).ConfigureAwait(false);
            var key = await keys.ReadAsync(DtmfRequest.Key(_t.MenuKey), ct).ConfigureAwait(false);
            switch (key.Digits)
            {
                case [MessagesKey]:
                    return await MessagesEndAsync(mailbox, policy, ct).ConfigureAwait(false);
                case [PersonalOptionsKey]:
                    if (await PersonalOptionsAsync(mailbox, self, ct).ConfigureAwait(false) is not { } now)
                        return await NoInputAsync(ct).ConfigureAwait(false);
                    mailbox = now;
                    silent = 0;
                    break;
                case "":
                    if (++silent >= _t.MenuRepeats) return await NoInputAsync(ct).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// 1 away greeting on/off, 2 record the greeting, 3 record the away greeting, 4 record the name, 5 change the PIN,
    /// * back to the main menu. Returns the mailbox as changed, or null when the caller stopped answering.
    /// </summary>
    private async Task<Mailbox?> PersonalOptionsAsync(Mailbox mailbox, ISelfService self, CancellationToken ct)
    {
        int silent = 0;
        while (true)
        {
            await InterruptibleAsync(S.PersonalOptions, ct).ConfigureAwait(false);
            var key = await keys.ReadAsync(DtmfRequest.Key(_t.MenuKey), ct).ConfigureAwait(false);
            if (key.Digits.Length == 0)
            {
                if (++silent >= _t.MenuRepeats) return null;
                continue;
            }
            silent = 0;
            switch (key.Digits[0])
            {
                case '1':
                    mailbox = await SwitchAwayAsync(mailbox, self, ct).ConfigureAwait(false);
                    break;
                case '2' or '3' or '4':
                    var kind = key.Digits[0] switch { '2' => GreetingKind.Personal, '3' => GreetingKind.Away, _ => GreetingKind.Name };
                    if (await RecordByPhoneAsync(mailbox, kind, self, ct).ConfigureAwait(false) is not { } recorded) return null;
                    mailbox = recorded;
                    break;
                case '5':
                    if (await ChangePinAsync(mailbox, self, forced: false, ct).ConfigureAwait(false) == PinChangeEnd.NoInput) return null;
                    break;
                case '*':
                    return mailbox;
            }
        }
    }

    private async Task<Mailbox> SwitchAwayAsync(Mailbox mailbox, ISelfService self, CancellationToken ct)
    {
        bool away = !mailbox.Away;
        var (outcome, now) = await self.SetAwayAsync(mailbox, away).ConfigureAwait(false);
        if (outcome.Result != SelfServiceResult.Done)
        {
            CallEvents.SelfServiceUnavailable(context.Logger, mailbox.Extension, mailbox.DialPlan, "turn the away greeting " + (away ? "on" : "off"),
                outcome.Problem ?? "", context.CallId);
            await PlayAsync(S.SettingsUnavailable, ct).ConfigureAwait(false);
            return mailbox;
        }
        CallEvents.AwayGreetingSwitched(context.Logger, mailbox.Extension, mailbox.DialPlan, now.Away ? "on" : "off", context.CallId);
        await PlayAsync(now.Away ? S.AwayOn : S.AwayOff, ct).ConfigureAwait(false);
        return now;
    }
}
