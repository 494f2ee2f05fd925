using OpenUM.Delivery;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Calls;

/// <summary>
/// Who called (DLV-1): the number (From user part, "Anonymous" without one) and the name (From display name) as
/// literal text cleaned by <see cref="CallerText"/>, and the caller's own mailbox when the number is exactly an
/// extension of the call's dial plan that has one. The gateway passes these on, but whoever calls chooses them:
/// they are text to show, never decoded and never an address (only the directory's mailbox address is one). In a
/// SipName dial plan the caller's own mailbox is also the one whose SIP URI is the From address.
/// </summary>
/// <param name="Number">The calling number, cleaned and capped (<see cref="CallerText.MaxNumberLength"/>).</param>
/// <param name="Name">The caller's name, cleaned and capped (<see cref="CallerText.MaxNameLength"/>); "" when none.</param>
/// <param name="Mailbox">The caller's own mailbox, or null.</param>
public sealed record CallingParty(string Number, string Name, Mailbox? Mailbox)
{
    /// <summary>The calling party of <paramref name="invite"/>, in <paramref name="dialPlan"/> of <paramref name="config"/>.</summary>
    public static CallingParty Find(SipMessage invite, ConfigurationSnapshot config, DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dialPlan);
        string number = CallerText.Number(AnsweredCall.CallerId(invite));
        string name = CallerText.Name(invite.From?.DisplayName);
        // Exactly an extension, as received: an external number is never shortened to its last digits (as a called
        // DID is), so +1 206 555 1000 is not mailbox 1000, and a user part that only cleaning made digits is no match.
        string? user = invite.From?.Uri.User;
        var mailbox = user is not null && user.Length == dialPlan.NumberOfDigitsInExtension && user.All(char.IsAsciiDigit)
            ? config.FindMailbox(dialPlan.Name, user)
            : null;
        // In a SipName dial plan users are known by their SIP address: sip:alice@example.com is Alice's mailbox.
        if (mailbox is null && dialPlan.UriType == UmUriType.SipName && invite.From?.Uri is { Scheme: "sip" or "sips" } from)
            mailbox = config.FindMailboxBySipUri(dialPlan.Name, from.ToString());
        return new CallingParty(number, name, mailbox);
    }
}
