using OpenUM.Directory;
using OpenUM.Directory.Pins;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>How a self-service change by phone ended.</summary>
public enum SelfServiceResult
{
    /// <summary>Done and stored.</summary>
    Done,
    /// <summary>Refused by a rule (a PIN breaking the mailbox policy, a recording that is not a usable WAV); nothing changed.</summary>
    Refused,
    /// <summary>The configuration store or the data directory could not take it (outage, disk full); nothing changed.</summary>
    Unavailable,
}

/// <summary>The outcome of one change: <paramref name="Problem"/> says why it was refused or failed (never a PIN).</summary>
public readonly record struct SelfServiceOutcome(SelfServiceResult Result, string? Problem = null)
{
    /// <summary>Done.</summary>
    public static SelfServiceOutcome Done => new(SelfServiceResult.Done);
}

/// <summary>
/// What a logged-on subscriber may change by phone (personal options and the forced PIN change): the PIN under the
/// mailbox policy, the recordings kept by <see cref="GreetingStore"/>, and the away flag.
/// </summary>
public interface ISelfService
{
    /// <summary>Sets the user's new PIN under the mailbox policy's rules (as `openum mailbox set-pin`); clears the must-change mark.</summary>
    Task<SelfServiceOutcome> ChangePinAsync(Mailbox mailbox, string pin);

    /// <summary>A new, not yet existing path where a recording by phone is made before it is accepted.</summary>
    string NewRecordingPath();

    /// <summary>
    /// Stores the accepted recording at <paramref name="recordingPath"/> as the mailbox's <paramref name="kind"/> (checked
    /// and written as `mailbox set --greeting` does); a personal greeting also becomes the mailbox's GreetingFile.
    /// Returns the mailbox as it is now.
    /// </summary>
    Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SaveRecordingAsync(Mailbox mailbox, GreetingKind kind, string recordingPath);

    /// <summary>Turns the away greeting on or off; returns the mailbox as it is now.</summary>
    Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SetAwayAsync(Mailbox mailbox, bool away);
}

/// <summary>
/// <see cref="ISelfService"/> over the configuration store and the data directory. The store's calls are synchronous and
/// rare (a user changing a setting), so they run on the thread pool rather than on the call's path. Each change reads the
/// mailbox again and changes only its own field, so an administrator's change made during the call is kept.
/// </summary>
public sealed class PhoneSelfService(PinAuthenticator pins, IConfigurationStore store, string dataDirectory) : ISelfService
{
    /// <inheritdoc />
    public async Task<SelfServiceOutcome> ChangePinAsync(Mailbox mailbox, string pin)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        try
        {
            return await pins.ChangePinAsync(mailbox.DialPlan, mailbox.Extension, pin).ConfigureAwait(false) is { } reason
                ? new SelfServiceOutcome(SelfServiceResult.Refused, reason)
                : SelfServiceOutcome.Done;
        }
        catch (Exception e) when (ConfigurationStores.IsOutage(e) || e is ConfigurationObjectNotFoundException)
        {
            return new SelfServiceOutcome(SelfServiceResult.Unavailable, e.Message);
        }
    }

    /// <inheritdoc />
    public string NewRecordingPath() => GreetingStore.NewRecordingPath(dataDirectory);

    /// <inheritdoc />
    public Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SaveRecordingAsync(Mailbox mailbox, GreetingKind kind, string recordingPath) =>
        Task.Run(() =>
        {
            string stored;
            try
            {
                stored = GreetingStore.StoreRecording(dataDirectory, mailbox, kind, File.ReadAllBytes(recordingPath));
            }
            catch (InvalidDataException e)
            {
                return (new SelfServiceOutcome(SelfServiceResult.Refused, e.Message), mailbox);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (new SelfServiceOutcome(SelfServiceResult.Unavailable, e.Message), mailbox);
            }
            // Away greetings and names are found by their file name; the personal greeting is the one the mailbox names.
            return kind == GreetingKind.Personal ? Update(mailbox, m => m.GreetingFile == stored ? null : m with { GreetingFile = stored })
                : (SelfServiceOutcome.Done, mailbox);
        });

    /// <inheritdoc />
    public Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SetAwayAsync(Mailbox mailbox, bool away) =>
        Task.Run(() => Update(mailbox, m => m.Away == away ? null : m with { Away = away }));

    // change: the mailbox as read now → the new one, or null when it already is so.
    private (SelfServiceOutcome, Mailbox) Update(Mailbox mailbox, Func<Mailbox, Mailbox?> change)
    {
        try
        {
            var now = store.GetMailbox(mailbox.DialPlan, mailbox.Extension);
            if (now is null) return (new SelfServiceOutcome(SelfServiceResult.Unavailable, "the mailbox was removed during the call"), mailbox);
            if (change(now) is not { } changed) return (SelfServiceOutcome.Done, now);
            store.UpdateMailbox(changed);
            return (SelfServiceOutcome.Done, changed);
        }
        catch (Exception e) when (ConfigurationStores.IsOutage(e) || e is ConfigurationValidationException or ConfigurationObjectNotFoundException)
        {
            return (new SelfServiceOutcome(SelfServiceResult.Unavailable, e.Message), mailbox);
        }
    }
}
