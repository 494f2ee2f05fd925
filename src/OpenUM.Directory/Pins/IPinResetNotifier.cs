namespace OpenUM.Directory.Pins;

/// <summary>
/// A PIN the system reset after LogonFailuresBeforePINReset wrong PINs, for the one message that tells the user. The
/// PIN is in <see cref="Pin"/> only: <see cref="ToString"/> leaves it out, so the notice can never print it in a log.
/// </summary>
public sealed class PinResetNotice(Mailbox mailbox, MailboxPolicy policy, int consecutiveFailures, string pin)
{
    /// <summary>The mailbox whose PIN was reset.</summary>
    public Mailbox Mailbox { get; } = mailbox ?? throw new ArgumentNullException(nameof(mailbox));

    /// <summary>Its effective mailbox policy (the rules the new PIN follows).</summary>
    public MailboxPolicy Policy { get; } = policy ?? throw new ArgumentNullException(nameof(policy));

    /// <summary>Wrong PINs in a row that led to the reset.</summary>
    public int ConsecutiveFailures { get; } = consecutiveFailures;

    /// <summary>The new PIN: for the body of the message to the user, and nowhere else.</summary>
    public string Pin { get; } = pin ?? throw new ArgumentNullException(nameof(pin));

    /// <inheritdoc />
    public override string ToString() => $"PIN reset of mailbox {Mailbox.Extension} in dial plan {Mailbox.DialPlan} after {ConsecutiveFailures} failures";
}

/// <summary>
/// Tells a user their new PIN after an automatic reset (Exchange mailed it). Set by the host, which knows the delivery
/// path; Directory only decides that a reset happens. Without one, <see cref="PinAuthenticator"/> resets nothing: a PIN
/// nobody can learn would only lock the user out.
/// </summary>
public interface IPinResetNotifier
{
    /// <summary>Sends the new PIN to the user. Must not throw: a failure is the notifier's to report (the PIN is already changed).</summary>
    ValueTask PinResetAsync(PinResetNotice notice, CancellationToken ct);
}
