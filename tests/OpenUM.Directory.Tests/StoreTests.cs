using Microsoft.Data.Sqlite;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

public class StoreTests
{
    [Fact]
    public void EveryFieldRoundTrips()
    {
        using var temp = new TempStore();
        var dialPlan = new DialPlan
        {
            Name = "Paris", NumberOfDigitsInExtension = 5, UriType = UmUriType.E164, VoipSecurity = VoipSecurity.Secured,
            AccessTelephoneNumbers = ["+33155550100", "0155550101"], CountryOrRegionCode = "33", OutsideLineAccessCode = "",
            InternationalAccessCode = "00", NationalNumberPrefix = "0", AllowDialPlanSubscribers = false, AllowExtensions = true,
            MaxCallDuration = TimeSpan.FromMinutes(45), MaxRecordingDuration = TimeSpan.FromMinutes(3),
            RecordingIdleTimeout = TimeSpan.FromSeconds(8), LogonFailuresBeforeDisconnect = 5, OperatorExtension = "10000",
        };
        var gateway = new IpGateway
        {
            Name = "sbc", Address = "sbc.example.fr", Port = 5067, Status = UmStatus.NoNewCalls, OutcallsAllowed = false,
            MessageWaitingIndicatorAllowed = false, IPAddressFamily = IPAddressFamily.Any, MediaLatching = Media.Session.MediaLatching.Any,
        };
        var huntGroup = HuntGroup("hg", "sbc", "Paris", "+33155550100");
        var server = new UmServer
        {
            Name = "um-paris", DialPlans = ["Paris"], Status = UmStatus.Disabled, MaxCallsAllowed = 250,
            SipTcpListeningPort = 15060, SipTlsListeningPort = 15061, StartupMode = UmStartupMode.Dual, StartSecured = 1,
            CertificateThumbprint = new string('A', 40), AllowTlsFromAnyAddress = true, TlsHandshakeTimeout = TimeSpan.FromSeconds(7),
            SipMessageTimeout = TimeSpan.FromSeconds(30), MaxConnectionsPerAddress = 12, ConnectionRatePerAddress = 9,
            RtpProbation = 9,
        };
        var mailbox = new Mailbox
        {
            Extension = "12345", DisplayName = "Zoé", EmailAddress = "zoe@example.fr", SipUri = "sip:zoe@example.fr",
            DialPlan = "Paris", MailboxPolicy = "Default Policy", GreetingFile = "greetings/zoe.wav", Away = true,
        };
        temp.Store.AddDialPlan(dialPlan);
        temp.Store.AddIpGateway(gateway);
        temp.Store.AddHuntGroup(huntGroup);
        temp.Store.AddUmServer(server);
        temp.Store.AddMailboxPolicy(new MailboxPolicy { Name = "Default Policy", DialPlan = "Paris" });
        temp.Store.AddMailbox(mailbox);

        using var other = temp.OpenAnother();
        Assert.Equal(dialPlan, other.GetDialPlan("PARIS"));
        Assert.Equal(gateway, other.GetIpGateway("sbc"));
        Assert.Equal(huntGroup, other.GetHuntGroup("HG"));
        Assert.Equal(server, other.GetUmServer("um-paris"));
        Assert.Equal(mailbox, other.GetMailbox("paris", "12345"));
        Assert.Null(other.GetDialPlan("nope"));
    }

    [Fact]
    public void MutationsReturnTheAuditedChangeAndBumpTheVersion()
    {
        using var temp = new TempStore();
        Assert.Equal(0, temp.Store.GetVersion());
        var added = temp.Store.AddDialPlan(DialPlan());
        Assert.Equal((ConfigurationObjectType.DialPlan, "Main", ConfigurationChangeKind.Added, 1L), (added.ObjectType, added.Name, added.Kind, added.Version));
        Assert.Null(added.Before);

        var updated = temp.Store.UpdateDialPlan(DialPlan() with { Id = Guid.NewGuid(), MaxCallDuration = TimeSpan.FromMinutes(60) });
        Assert.Equal(ConfigurationChangeKind.Updated, updated.Kind);
        Assert.Equal(TimeSpan.FromMinutes(30), ((DialPlan)updated.Before!).MaxCallDuration);
        Assert.Equal(TimeSpan.FromMinutes(60), ((DialPlan)updated.After!).MaxCallDuration);
        Assert.Equal(((DialPlan)added.After!).Id, ((DialPlan)updated.After!).Id);
        Assert.Equal(2, updated.Version);

        var removed = temp.Store.RemoveDialPlan("main");
        Assert.Equal((ConfigurationChangeKind.Removed, 3L), (removed.Kind, removed.Version));
        Assert.Null(removed.After);
        Assert.Equal(3, temp.Store.GetVersion());
        Assert.Empty(temp.Store.Load().DialPlans);
    }

    [Fact]
    public void MissingObjectsAreReportedByName()
    {
        using var temp = new TempStore();
        var ex = Assert.Throws<ConfigurationObjectNotFoundException>(() => temp.Store.RemoveIpGateway("ghost"));
        Assert.Equal((ConfigurationObjectType.IpGateway, "ghost"), (ex.ObjectType, ex.Name));
        Assert.Throws<ConfigurationObjectNotFoundException>(() => temp.Store.UpdateDialPlan(DialPlan()));
        Assert.Throws<ConfigurationObjectNotFoundException>(() => temp.Store.RemoveMailbox("Main", "1234"));
        Assert.Equal(0, temp.Store.GetVersion());
    }

    [Fact]
    public void RefusedUpdateLeavesRowAndVersionUnchanged()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var version = temp.Store.GetVersion();
        var before = temp.Store.GetDialPlan("Main");
        Assert.Throws<ConfigurationValidationException>(() =>
            temp.Store.UpdateDialPlan(DialPlan() with { MaxCallDuration = TimeSpan.FromHours(5), AllowExtensions = true }));
        Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddMailbox(Mailbox("99", "x@example.com")));
        Assert.Equal(version, temp.Store.GetVersion());
        Assert.Equal(before, temp.Store.GetDialPlan("Main"));
        Assert.Single(temp.Store.Load().Mailboxes);
    }

    [Fact]
    public void FailureAfterTheRowIsWrittenRollsBackTheRow()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var version = temp.Store.GetVersion();
        using (var raw = RawConnection(temp.FilePath))
        {
            Execute(raw, "CREATE TRIGGER refuse_bump BEFORE UPDATE ON config_version BEGIN SELECT RAISE(ABORT, 'injected'); END");
        }

        Assert.Throws<SqliteException>(() => temp.Store.AddMailbox(Mailbox("5678", "bob@example.com")));
        Assert.Throws<SqliteException>(() => temp.Store.RemoveHuntGroup("hg"));
        Assert.Equal(version, temp.Store.GetVersion());
        var snapshot = temp.Store.Load();
        Assert.Single(snapshot.Mailboxes);
        Assert.NotNull(snapshot.FindHuntGroup("hg"));
    }

    [Fact]
    public void ReopeningAppliesNoMigrationTwiceAndKeepsData()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.Dispose();
        using (var again = temp.OpenAnother())
        {
            Assert.Equal(7, again.GetVersion());
            Assert.NotNull(again.GetMailbox("Main", "1234"));
        }

        using (var third = temp.OpenAnother())
        {
            Assert.Single(third.Load().DialPlans);
        }

        using var raw = RawConnection(temp.FilePath);
        Assert.Equal(SqliteConfigurationStore.SchemaVersion, Convert.ToInt32(Scalar(raw, "SELECT MAX(version) FROM schema_migrations")));
        Assert.Equal(SqliteConfigurationStore.SchemaVersion, Convert.ToInt32(Scalar(raw, "SELECT COUNT(*) FROM schema_migrations")));
        Assert.Equal("wal", Scalar(raw, "PRAGMA journal_mode"));
    }

    [Fact]
    public void NewerSchemaIsRefusedRatherThanMisread()
    {
        using var temp = new TempStore();
        using (var raw = RawConnection(temp.FilePath))
        {
            Execute(raw, "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'future')");
        }

        var ex = Assert.Throws<InvalidOperationException>(() => temp.OpenAnother());
        Assert.Contains("99", ex.Message);
    }

    [Fact]
    public void TwoInstancesOnOneFileSeeEachOthersChanges()
    {
        using var temp = new TempStore();
        using var other = temp.OpenAnother();
        temp.Store.AddDialPlan(DialPlan());
        Assert.Equal(1, other.GetVersion());
        Assert.NotNull(other.Load().FindDialPlan("main"));
        other.AddMailbox(Mailbox());
        Assert.Equal(2, temp.Store.GetVersion());
        Assert.Equal("alice@example.com", temp.Store.FindMailboxByExtension("1234")!.EmailAddress);
    }

    [Fact]
    public async Task ConcurrentWritersFromTwoInstancesAllCommit()
    {
        using var temp = new TempStore();
        using var other = temp.OpenAnother();
        temp.Store.AddDialPlan(DialPlan());
        const int perWriter = 25;
        Task Writer(IConfigurationStore store, int offset) => Task.Run(() =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var ext = (offset + i).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
                store.AddMailbox(Mailbox(ext, $"u{ext}@example.com"));
            }
        });

        await Task.WhenAll(Writer(temp.Store, 1000), Writer(other, 2000), Writer(temp.Store, 3000));
        Assert.Equal(1 + (3 * perWriter), temp.Store.GetVersion());
        Assert.Equal(3 * perWriter, other.Load().Mailboxes.Count);
    }

    [Fact]
    public void MailboxCanMoveAndAmbiguousExtensionAsksForTheDialPlan()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.AddDialPlan(DialPlan("Branch"));
        var moved = temp.Store.UpdateMailbox("main", "1234", Mailbox("4321", dialPlan: "Branch"));
        Assert.Equal("Branch/4321", moved.Name);
        Assert.Null(temp.Store.GetMailbox("Main", "1234"));
        temp.Store.AddMailbox(Mailbox("4321", "bob@example.com"));
        var ex = Assert.Throws<ConfigurationValidationException>(() => temp.Store.FindMailboxByExtension("4321"));
        Assert.Equal("dial-plan", ex.Field);
        Assert.Null(temp.Store.FindMailboxByExtension("0000"));
        temp.Store.RemoveMailbox("Branch", "4321");
        Assert.Equal("bob@example.com", temp.Store.FindMailboxByExtension("4321")!.EmailAddress);
    }

    [Fact]
    public void AddWithACopiedIdGetsAFreshId()
    {
        using var temp = new TempStore();
        var first = (DialPlan)temp.Store.AddDialPlan(DialPlan()).After!;
        var second = (DialPlan)temp.Store.AddDialPlan(first with { Name = "Copy" }).After!;
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public void FileIsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempStore();
        temp.Store.AddDialPlan(DialPlan());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.FilePath));
        var wal = temp.FilePath + "-wal";
        Assert.True(File.Exists(wal));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(wal) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.GetDirectoryName(temp.FilePath)!) & (UnixFileMode.OtherRead | UnixFileMode.GroupRead));
    }

    [Fact]
    public void ExistingLooseFileIsTightened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempStore();
        temp.Store.Dispose();
        File.SetUnixFileMode(temp.FilePath, (UnixFileMode)Convert.ToInt32("644", 8));
        using var again = temp.OpenAnother();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.FilePath));
    }

    internal static SqliteConnection RawConnection(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
