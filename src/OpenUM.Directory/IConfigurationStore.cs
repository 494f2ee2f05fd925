using OpenUM.Directory.Pins;

namespace OpenUM.Directory;

/// <summary>
/// The configuration store. Every mutation validates the change against the whole configuration
/// (CFG-1), writes it in one transaction together with a version increment, and returns the
/// <see cref="ConfigurationChange"/> to audit (CFG-2). Updates find the object by its name (a mailbox
/// by dial plan and extension) and keep its <c>Id</c>.
/// </summary>
public interface IConfigurationStore : IDisposable
{
    /// <summary>A consistent snapshot of everything, at one version.</summary>
    ConfigurationSnapshot Load();

    /// <summary>Cheap read of the version; increments on every committed change from any process.</summary>
    long GetVersion();

    /// <summary>Creates a dial plan.</summary>
    ConfigurationChange AddDialPlan(DialPlan dialPlan);
    /// <summary>Replaces the dial plan with the same name.</summary>
    ConfigurationChange UpdateDialPlan(DialPlan dialPlan);
    /// <summary>Removes a dial plan; refused while hunt groups, servers or mailboxes use it.</summary>
    ConfigurationChange RemoveDialPlan(string name);
    /// <summary>The dial plan with this name (case-insensitive), or null.</summary>
    DialPlan? GetDialPlan(string name);

    /// <summary>Creates an IP gateway.</summary>
    ConfigurationChange AddIpGateway(IpGateway gateway);
    /// <summary>Replaces the gateway with the same name.</summary>
    ConfigurationChange UpdateIpGateway(IpGateway gateway);
    /// <summary>Removes a gateway; refused while hunt groups use it.</summary>
    ConfigurationChange RemoveIpGateway(string name);
    /// <summary>The gateway with this name (case-insensitive), or null.</summary>
    IpGateway? GetIpGateway(string name);

    /// <summary>Creates a hunt group.</summary>
    ConfigurationChange AddHuntGroup(HuntGroup huntGroup);
    /// <summary>Replaces the hunt group with the same name.</summary>
    ConfigurationChange UpdateHuntGroup(HuntGroup huntGroup);
    /// <summary>Removes a hunt group.</summary>
    ConfigurationChange RemoveHuntGroup(string name);
    /// <summary>The hunt group with this name (case-insensitive), or null.</summary>
    HuntGroup? GetHuntGroup(string name);

    /// <summary>Creates a UM server object.</summary>
    ConfigurationChange AddUmServer(UmServer server);
    /// <summary>Replaces the server with the same name.</summary>
    ConfigurationChange UpdateUmServer(UmServer server);
    /// <summary>Removes a server object.</summary>
    ConfigurationChange RemoveUmServer(string name);
    /// <summary>The server with this name (case-insensitive), or null.</summary>
    UmServer? GetUmServer(string name);

    /// <summary>Creates a mailbox policy; its allowed groups must exist in its dial plan.</summary>
    ConfigurationChange AddMailboxPolicy(MailboxPolicy policy);
    /// <summary>Replaces the mailbox policy with the same name.</summary>
    ConfigurationChange UpdateMailboxPolicy(MailboxPolicy policy);
    /// <summary>Removes a mailbox policy; refused while mailboxes use it.</summary>
    ConfigurationChange RemoveMailboxPolicy(string name);
    /// <summary>The mailbox policy with this name (case-insensitive), or null.</summary>
    MailboxPolicy? GetMailboxPolicy(string name);

    /// <summary>Creates an auto attendant; its pilot numbers, groups and key mappings must fit its dial plan.</summary>
    ConfigurationChange AddAutoAttendant(AutoAttendant attendant);
    /// <summary>Replaces the auto attendant with the same name.</summary>
    ConfigurationChange UpdateAutoAttendant(AutoAttendant attendant);
    /// <summary>Removes an auto attendant; refused while another one's key mapping leads to it.</summary>
    ConfigurationChange RemoveAutoAttendant(string name);
    /// <summary>The auto attendant with this name (case-insensitive), or null.</summary>
    AutoAttendant? GetAutoAttendant(string name);

    /// <summary>The PIN state of the mailbox at (dialPlan, extension), or null when it has no PIN.</summary>
    MailboxPinState? GetPin(string dialPlan, string extension);
    /// <summary>
    /// Inserts or replaces the PIN state of the mailbox at (dialPlan, extension) in one atomic write;
    /// not a configuration change (no version increment, no audit). The mailbox must exist.
    /// </summary>
    void SavePin(string dialPlan, string extension, MailboxPinState state);
    /// <summary>
    /// Counts one wrong PIN in a single atomic statement (so servers sharing the store cannot lose counts) and locks
    /// the mailbox when the count reaches <paramref name="maxLogonAttempts"/>. An already locked mailbox is not
    /// counted again. Returns the state after the attempt, or null when the mailbox has no PIN.
    /// </summary>
    MailboxPinState? RecordLogonFailure(string dialPlan, string extension, int maxLogonAttempts);
    /// <summary>
    /// Clears the failure count after a right PIN in one atomic statement, unless the mailbox is locked meanwhile;
    /// false when it is locked out (or has no PIN), so a lockout that won the race is kept.
    /// </summary>
    bool RecordLogonSuccess(string dialPlan, string extension);
    /// <summary>
    /// The automatic PIN reset (LogonFailuresBeforePINReset) in one atomic statement: replaces the hash, history, set
    /// time and must-change mark, keeping the failure count, only while the PIN is still <paramref name="currentHash"/>
    /// and the mailbox is not locked; false otherwise (the PIN changed meanwhile, or a lockout won the race).
    /// </summary>
    bool ResetPinAfterFailures(string dialPlan, string extension, string currentHash, MailboxPinState replacement);

    // The calls a call in progress makes (subscriber logon): asynchronous, so a slow database holds no thread while
    // the caller waits. A store without asynchronous access (a test double) answers them synchronously.

    /// <summary><see cref="GetMailbox"/> without blocking a thread while the store answers.</summary>
    ValueTask<Mailbox?> GetMailboxAsync(string dialPlan, string extension, CancellationToken ct = default) =>
        ValueTask.FromResult(GetMailbox(dialPlan, extension));
    /// <summary><see cref="GetMailboxPolicy"/> without blocking a thread while the store answers.</summary>
    ValueTask<MailboxPolicy?> GetMailboxPolicyAsync(string name, CancellationToken ct = default) =>
        ValueTask.FromResult(GetMailboxPolicy(name));
    /// <summary><see cref="GetPin"/> without blocking a thread while the store answers.</summary>
    ValueTask<MailboxPinState?> GetPinAsync(string dialPlan, string extension, CancellationToken ct = default) =>
        ValueTask.FromResult(GetPin(dialPlan, extension));
    /// <summary><see cref="RecordLogonFailure"/> without blocking a thread while the store answers.</summary>
    ValueTask<MailboxPinState?> RecordLogonFailureAsync(string dialPlan, string extension, int maxLogonAttempts, CancellationToken ct = default) =>
        ValueTask.FromResult(RecordLogonFailure(dialPlan, extension, maxLogonAttempts));
    /// <summary><see cref="RecordLogonSuccess"/> without blocking a thread while the store answers.</summary>
    ValueTask<bool> RecordLogonSuccessAsync(string dialPlan, string extension, CancellationToken ct = default) =>
        ValueTask.FromResult(RecordLogonSuccess(dialPlan, extension));
    /// <summary><see cref="ResetPinAfterFailures"/> without blocking a thread while the store answers.</summary>
    ValueTask<bool> ResetPinAfterFailuresAsync(string dialPlan, string extension, string currentHash, MailboxPinState replacement,
        CancellationToken ct = default) =>
        ValueTask.FromResult(ResetPinAfterFailures(dialPlan, extension, currentHash, replacement));

    /// <summary>
    /// Adds <paramref name="seed"/>'s dial plans, gateways, hunt groups and mailboxes (in that order, each validated) in
    /// one transaction, only when the store holds no dial plan, gateway or mailbox; false, with nothing written, otherwise.
    /// Of concurrent callers on an empty store exactly one writes.
    /// </summary>
    bool AddIfEmpty(ConfigurationSnapshot seed);

    /// <summary>Creates a mailbox.</summary>
    ConfigurationChange AddMailbox(Mailbox mailbox);
    /// <summary>Replaces the mailbox at (dialPlan, extension) with <paramref name="mailbox"/>, which may move it.</summary>
    ConfigurationChange UpdateMailbox(string dialPlan, string extension, Mailbox mailbox);
    /// <summary>Replaces the mailbox with the same dial plan and extension.</summary>
    ConfigurationChange UpdateMailbox(Mailbox mailbox)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        return UpdateMailbox(mailbox.DialPlan, mailbox.Extension, mailbox);
    }

    /// <summary>Removes the mailbox at (dialPlan, extension).</summary>
    ConfigurationChange RemoveMailbox(string dialPlan, string extension);
    /// <summary>The mailbox at (dialPlan, extension), or null.</summary>
    Mailbox? GetMailbox(string dialPlan, string extension);
    /// <summary>The only mailbox with this extension, or null; ambiguity throws (field "dial-plan").</summary>
    Mailbox? FindMailboxByExtension(string extension);
}
