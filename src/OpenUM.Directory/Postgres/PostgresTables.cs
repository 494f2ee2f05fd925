namespace OpenUM.Directory.Postgres;

/// <summary>The PostgreSQL statements of the six tables of <see cref="StoreTables"/>.</summary>
internal static class PostgresTables
{
    public static readonly PostgresTable<DialPlan> DialPlans = new(StoreTables.DialPlans);
    public static readonly PostgresTable<IpGateway> IpGateways = new(StoreTables.IpGateways);
    public static readonly PostgresTable<HuntGroup> HuntGroups = new(StoreTables.HuntGroups);
    public static readonly PostgresTable<UmServer> UmServers = new(StoreTables.UmServers);
    public static readonly PostgresTable<Mailbox> Mailboxes = new(StoreTables.Mailboxes);
    public static readonly PostgresTable<MailboxPolicy> MailboxPolicies = new(StoreTables.MailboxPolicies);
}
