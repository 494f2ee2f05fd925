namespace OpenUM.Directory.Pins;

/// <summary>What a PIN logon attempt came to.</summary>
public enum LogonResult
{
    /// <summary>The PIN is right and valid.</summary>
    Success,
    /// <summary>The PIN is wrong; the failure was counted.</summary>
    WrongPin,
    /// <summary>The mailbox is locked (MaxLogonAttempts reached, event 1012); only a PIN reset unlocks it.</summary>
    LockedOut,
    /// <summary>The mailbox has no PIN yet; an administrator must set or reset one.</summary>
    NoPin,
    /// <summary>The PIN is right but older than PINLifetime: the user must choose a new one before going on.</summary>
    PinExpired,
    /// <summary>No mailbox has this extension in this dial plan.</summary>
    UnknownMailbox,
    /// <summary>The mailbox policy does not allow subscriber access.</summary>
    NotAllowed,
    /// <summary>
    /// The store could not be read or could not record the attempt (PostgreSQL stopped or unreachable, SQLite's
    /// disk full): nothing was decided and nothing counted; the caller is asked to try again later.
    /// </summary>
    StoreUnavailable,
}

/// <summary>The result of <see cref="PinAuthenticator.Logon"/>; never carries the PIN.</summary>
/// <param name="Result">What happened.</param>
/// <param name="ConsecutiveFailures">Wrong PINs in a row after this attempt.</param>
/// <param name="Policy">The mailbox's effective policy (null when the mailbox is unknown).</param>
/// <param name="Mailbox">The mailbox (null when unknown).</param>
/// <param name="Problem">For <see cref="LogonResult.StoreUnavailable"/>: what failed (names the store, never its password).</param>
public sealed record LogonOutcome(LogonResult Result, int ConsecutiveFailures, MailboxPolicy? Policy, Mailbox? Mailbox, string? Problem = null);

/// <summary>
/// PIN logon, change and reset against a store (OUT-3a). Wrong PINs are counted across calls; reaching
/// MaxLogonAttempts locks the mailbox, and every later attempt is refused without checking the PIN.
/// An attempt is answered only once the store has recorded it: when the store cannot be read or written the
/// result is <see cref="LogonResult.StoreUnavailable"/> whether the PIN was right or not, so an outage neither
/// locks anyone out nor lets guesses go uncounted. Nothing here logs or puts a PIN into an exception message.
/// </summary>
public sealed class PinAuthenticator(IConfigurationStore store, TimeProvider time)
{
    // Verified against for unknown mailboxes so an attempt costs the same whether the extension exists or not.
    private static readonly Lazy<string> Decoy = new(() => PinHasher.Hash("0"));

    // PIN changes and resets read the history and write it back; serialised per mailbox in this process.
    // Logons need no lock here: the store counts failures atomically, across every server sharing it.
    private static readonly Lock[] Stripes = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];

    /// <summary>Checks a PIN and records the attempt; a store that cannot be reached gives <see cref="LogonResult.StoreUnavailable"/>.</summary>
    public LogonOutcome Logon(string dialPlan, string extension, ReadOnlySpan<char> pin)
    {
        var copy = pin.ToArray();
        try
        {
            return StoreCommands.Completed(Logon(dialPlan, extension, copy, async: false));
        }
        finally
        {
            Array.Clear(copy);
        }
    }

    /// <summary>
    /// <see cref="Logon"/> for a call in progress: the store is asked asynchronously, so a slow database holds no
    /// thread. Deliberately not cancellable: a caller who hangs up after a wrong PIN must not escape its count.
    /// </summary>
    public ValueTask<LogonOutcome> LogonAsync(string dialPlan, string extension, ReadOnlyMemory<char> pin) =>
        Logon(dialPlan, extension, pin, async: true);

    // With async false nothing waits asynchronously (the store's synchronous calls are used).
    private async ValueTask<LogonOutcome> Logon(string dialPlan, string extension, ReadOnlyMemory<char> pin, bool async)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        try
        {
            return await LogonCore(dialPlan, extension, pin, async).ConfigureAwait(false);
        }
        catch (Exception e) when (ConfigurationStores.IsOutage(e))
        {
            return new LogonOutcome(LogonResult.StoreUnavailable, 0, null, null, e.Message);
        }
    }

    private async ValueTask<LogonOutcome> LogonCore(string dialPlan, string extension, ReadOnlyMemory<char> pin, bool async)
    {
        var found = async ? await store.GetMailboxAsync(dialPlan, extension).ConfigureAwait(false) : store.GetMailbox(dialPlan, extension);
        if (found is not { } mailbox)
        {
            PinHasher.Verify(pin.Span, Decoy.Value);
            return new LogonOutcome(LogonResult.UnknownMailbox, 0, null, null);
        }

        // Every refusal before the real check costs one hash too: the time taken must not tell a caller whether
        // the extension exists, has a PIN, may log on, or is locked.
        var policy = await PolicyFor(mailbox, async).ConfigureAwait(false);
        if (!policy.AllowSubscriberAccess)
        {
            PinHasher.Verify(pin.Span, Decoy.Value);
            return new LogonOutcome(LogonResult.NotAllowed, 0, policy, mailbox);
        }

        var pinState = async
            ? await store.GetPinAsync(mailbox.DialPlan, mailbox.Extension).ConfigureAwait(false)
            : store.GetPin(mailbox.DialPlan, mailbox.Extension);
        if (pinState is not { } state)
        {
            PinHasher.Verify(pin.Span, Decoy.Value);
            return new LogonOutcome(LogonResult.NoPin, 0, policy, mailbox);
        }

        if (state.LockedOut)
        {
            PinHasher.Verify(pin.Span, Decoy.Value);
            return new LogonOutcome(LogonResult.LockedOut, state.ConsecutiveFailures, policy, mailbox);
        }

        if (!PinHasher.Verify(pin.Span, state.Hash))
        {
            // Counted by the store in one statement: guesses in parallel (here or on other servers) each count, and
            // only MaxLogonAttempts of them are answered before the lockout.
            var counted = async
                ? await store.RecordLogonFailureAsync(mailbox.DialPlan, mailbox.Extension, policy.MaxLogonAttempts).ConfigureAwait(false)
                : store.RecordLogonFailure(mailbox.DialPlan, mailbox.Extension, policy.MaxLogonAttempts);
            if (counted is not { } after)
            {
                return new LogonOutcome(LogonResult.NoPin, 0, policy, mailbox);
            }

            return new LogonOutcome(after.LockedOut ? LogonResult.LockedOut : LogonResult.WrongPin, after.ConsecutiveFailures, policy, mailbox);
        }

        // A right PIN verified while parallel wrong guesses locked the mailbox does not get in.
        var cleared = async
            ? await store.RecordLogonSuccessAsync(mailbox.DialPlan, mailbox.Extension).ConfigureAwait(false)
            : store.RecordLogonSuccess(mailbox.DialPlan, mailbox.Extension);
        if (!cleared)
        {
            var now = async
                ? await store.GetPinAsync(mailbox.DialPlan, mailbox.Extension).ConfigureAwait(false)
                : store.GetPin(mailbox.DialPlan, mailbox.Extension);
            return now is null
                ? new LogonOutcome(LogonResult.NoPin, 0, policy, mailbox)
                : new LogonOutcome(LogonResult.LockedOut, now.ConsecutiveFailures, policy, mailbox);
        }

        return new LogonOutcome(
            PinRules.IsExpired(state, policy, time.GetUtcNow()) ? LogonResult.PinExpired : LogonResult.Success, 0, policy, mailbox);
    }

    /// <summary>
    /// Sets a new PIN chosen by the user or an administrator; null when set, otherwise why it was refused
    /// (the caller names the field). Clears failures and the lockout.
    /// </summary>
    public string? SetPin(string dialPlan, string extension, string pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        var mailbox = RequireMailbox(dialPlan, extension);
        lock (StripeFor(mailbox.DialPlan, mailbox.Extension))
        {
            var policy = PolicyFor(mailbox);
            var current = store.GetPin(mailbox.DialPlan, mailbox.Extension);
            if (PinRules.Check(pin, policy, current, mailbox.Extension) is { } reason)
            {
                return reason;
            }

            Save(mailbox, policy, current, pin);
            return null;
        }
    }

    /// <summary>Generates a PIN that satisfies the policy, stores it, unlocks the mailbox and returns the PIN (to show once).</summary>
    public string ResetPin(string dialPlan, string extension)
    {
        var mailbox = RequireMailbox(dialPlan, extension);
        lock (StripeFor(mailbox.DialPlan, mailbox.Extension))
        {
            var policy = PolicyFor(mailbox);
            var current = store.GetPin(mailbox.DialPlan, mailbox.Extension);
            var pin = PinRules.Generate(policy, current, mailbox.Extension);
            Save(mailbox, policy, current, pin);
            return pin;
        }
    }

    private static Lock StripeFor(string dialPlan, string extension) =>
        Stripes[(uint)HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(dialPlan), extension) % (uint)Stripes.Length];

    private void Save(Mailbox mailbox, MailboxPolicy policy, MailboxPinState? current, string pin) =>
        store.SavePin(mailbox.DialPlan, mailbox.Extension, new MailboxPinState
        {
            Hash = PinHasher.Hash(pin),
            History = PinRules.NextHistory(current, policy),
            SetAt = time.GetUtcNow(),
        });

    private Mailbox RequireMailbox(string dialPlan, string extension)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        return store.GetMailbox(dialPlan, extension)
            ?? throw new ConfigurationObjectNotFoundException(ConfigurationObjectType.Mailbox, ConfigurationChange.MailboxKey(dialPlan, extension));
    }

    private MailboxPolicy PolicyFor(Mailbox mailbox) => StoreCommands.Completed(PolicyFor(mailbox, async: false));

    private async ValueTask<MailboxPolicy> PolicyFor(Mailbox mailbox, bool async)
    {
        var named = mailbox.MailboxPolicy is not { } name ? null
            : async ? await store.GetMailboxPolicyAsync(name).ConfigureAwait(false) : store.GetMailboxPolicy(name);
        return named ?? MailboxPolicy.DefaultFor(mailbox.DialPlan);
    }
}
