namespace OpenUM.Directory.Pins;

/// <summary>
/// The PIN of one mailbox. Not configuration (it changes at every logon): stored beside it without a
/// version bump or audit, and never holds the PIN itself, only <see cref="Pins.PinHasher"/> hashes.
/// </summary>
public sealed record MailboxPinState
{
    /// <summary>Hash of the current PIN.</summary>
    public required string Hash { get; init; }

    /// <summary>Hashes of earlier PINs, most recent first (at most the policy's PINHistoryCount are kept).</summary>
    public IReadOnlyList<string> History { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>When the current PIN was set (PINLifetime counts from here).</summary>
    public required DateTimeOffset SetAt { get; init; }

    /// <summary>Wrong PINs since the last successful logon or reset.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>MaxLogonAttempts was reached; only a PIN reset unlocks.</summary>
    public bool LockedOut { get; init; }

    /// <summary>
    /// The PIN was handed out by the system (LogonFailuresBeforePINReset mailed it): it is right, but it only lets the
    /// user choose a new one (<see cref="LogonResult.PinExpired"/>) until a PIN is set again.
    /// </summary>
    public bool MustChange { get; init; }
}
