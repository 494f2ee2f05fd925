using Npgsql;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Directory.Postgres;

namespace OpenUM.Interop.Tests.Postgres;

/// <summary>The PostgreSQL store against a real temporary server: the SQLite store's behaviours, plus notifications.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(TempPostgres postgres)
{
    private static DialPlan Plan(string name = "Main") => new() { Name = name, NumberOfDigitsInExtension = 4 };

    private async Task<StoreLocation> FreshAsync() =>
        StoreLocation.Parse(await postgres.CreateDatabaseAsync("store_" + Guid.NewGuid().ToString("N")[..12]));

    [Fact]
    public async Task EveryKindRoundTripsThroughAnotherConnection()
    {
        var at = await FreshAsync();
        using var store = new PostgresConfigurationStore(at);
        var plan = Plan("Paris") with
        {
            AccessTelephoneNumbers = ["+33155550100"], CountryOrRegionCode = "33", MaxCallDuration = TimeSpan.FromMinutes(45),
            OperatorExtension = "1999", DefaultLanguage = "fr-FR",
        };
        var gateway = new IpGateway { Name = "sbc", Address = "sbc.example.fr", Port = 5067, OutcallsAllowed = false };
        var server = new UmServer { Name = "um-paris", DialPlans = ["Paris"], MaxCallsAllowed = 250 };
        var policy = new MailboxPolicy { Name = "Strict", DialPlan = "Paris", MinPinLength = 8, PinLifetime = null, LogonFailuresBeforePinReset = null };
        var mailbox = new Mailbox { Extension = "1234", DisplayName = "Zoé", EmailAddress = "zoe@example.fr", DialPlan = "Paris", MailboxPolicy = "Strict", Language = "en-US" };
        store.AddDialPlan(plan);
        store.AddIpGateway(gateway);
        store.AddHuntGroup(new HuntGroup { Name = "hg", IpGateway = "sbc", DialPlan = "Paris", PilotIdentifier = "+33155550100" });
        store.AddUmServer(server);
        store.AddMailboxPolicy(policy);
        store.AddMailbox(mailbox);
        var attendant = new AutoAttendant
        {
            Name = "Accueil", DialPlan = "Paris", PilotIdentifierList = ["+33155550200"], Status = UmStatus.Enabled, TimeZone = "Europe/Paris",
            BusinessHoursSchedule = [Directory.AutoAttendants.BusinessHoursRange.Parse("Mon-Fri 08:30-18:00")],
            HolidaySchedule = [Directory.AutoAttendants.HolidayEntry.Parse("Noël,greetings/noel.wav,2026-12-25,2026-12-26")],
            BusinessHoursKeyMapping = [Directory.AutoAttendants.KeyMapping.Parse("1,Ventes,1234")], OperatorExtension = "1999", Language = "fr-FR",
            BusinessHoursWelcomeGreetingText = "Bienvenue chez Contoso.", BusinessHoursWelcomeGreetingFile = "greetings/t.wav",
            AfterHoursWelcomeGreetingText = "Nous sommes fermés.", AfterHoursWelcomeGreetingFile = "greetings/c.wav",
            BusinessHoursMenuPromptFile = "greetings/m1.wav", AfterHoursMenuPromptFile = "greetings/m2.wav",
        };
        store.AddAutoAttendant(attendant);

        using var other = new PostgresConfigurationStore(at);
        Assert.Equal(attendant, other.GetAutoAttendant("accueil"));
        Assert.Equal(plan, other.GetDialPlan("PARIS"));
        Assert.Equal(gateway, other.GetIpGateway("SBC"));
        Assert.Equal(server, other.GetUmServer("um-paris"));
        Assert.Equal(policy, other.GetMailboxPolicy("strict"));
        Assert.Equal(mailbox, other.GetMailbox("paris", "1234"));
        Assert.Equal("hg", other.Load().HuntGroups.Single().Name);
        Assert.Null(other.GetDialPlan("nope"));
    }

    [Fact]
    public async Task NamesAreUniqueCaseInsensitively()
    {
        using var store = new PostgresConfigurationStore(await FreshAsync());
        store.AddDialPlan(Plan("Main"));
        var refused = Assert.Throws<ConfigurationValidationException>(() => store.AddDialPlan(Plan("MAIN")));
        Assert.Equal(ConfigurationFields.Name, refused.Field);
        Assert.Equal(1, store.GetVersion());

        // The unique index itself refuses a row written behind the validator's back.
        using var connection = new NpgsqlConnection(store.Location.ConnectionString);
        connection.Open();
        using var insert = new NpgsqlCommand(
            "INSERT INTO dial_plans (id, name, number_of_digits_in_extension, uri_type, voip_security, outside_line_access_code, " +
            "allow_dial_plan_subscribers, allow_extensions, max_call_duration_ms, max_recording_duration_ms, recording_idle_timeout_ms, " +
            "logon_failures_before_disconnect) VALUES (gen_random_uuid(), 'mAiN', 4, 'TelExtn', 'Unsecured', '9', true, false, 1, 1, 1, 3)",
            connection);
        var e = Assert.Throws<PostgresException>(() => insert.ExecuteNonQuery());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
    }

    [Fact]
    public async Task RefusedChangesLeaveRowsAndVersionUnchanged()
    {
        using var store = new PostgresConfigurationStore(await FreshAsync());
        store.AddDialPlan(Plan());
        store.AddMailbox(new Mailbox { Extension = "1000", EmailAddress = "a@example.test", DialPlan = "Main" });
        long version = store.GetVersion();

        var refused = Assert.Throws<ConfigurationValidationException>(() => store.UpdateDialPlan(Plan() with { NumberOfDigitsInExtension = 99 }));
        Assert.Equal(ConfigurationFields.NumberOfDigitsInExtension, refused.Field);
        Assert.Throws<ConfigurationValidationException>(() => store.RemoveDialPlan("Main"));   // mailbox 1000 uses it
        Assert.Throws<ConfigurationObjectNotFoundException>(() => store.RemoveIpGateway("nope"));

        Assert.Equal(version, store.GetVersion());
        Assert.Equal(4, store.GetDialPlan("Main")!.NumberOfDigitsInExtension);
        Assert.Single(store.Load().Mailboxes);
    }

    [Fact]
    public async Task EveryCommittedChangeBumpsTheVersionAndNotifiesIt()
    {
        var at = await FreshAsync();
        using var store = new PostgresConfigurationStore(at);
        await using var listener = new NpgsqlConnection(at.ConnectionString);
        await listener.OpenAsync();
        var received = new List<string>();
        listener.Notification += (_, n) => received.Add(n.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN " + PostgresConfigurationStore.NotificationChannel, listener))
            await listen.ExecuteNonQueryAsync();

        var added = store.AddDialPlan(Plan());
        var updated = store.UpdateDialPlan(Plan() with { OperatorExtension = "1000" });
        Assert.Throws<ConfigurationValidationException>(() => store.AddDialPlan(Plan("main")));   // refused: no notification
        var removed = store.RemoveDialPlan("Main");
        Assert.Equal((1L, 2L, 3L), (added.Version, updated.Version, removed.Version));
        Assert.Equal(ConfigurationChangeKind.Updated, updated.Kind);
        Assert.Equal(3, store.GetVersion());

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));   // hang guard
        while (received.Count < 3)
            await listener.WaitAsync(guard.Token);

        Assert.Equal(["1", "2", "3"], received);
    }

    [Fact]
    public async Task ConcurrentWritersAndMigrationsSerialise()
    {
        var at = await FreshAsync();
        // Two processes opening an empty database at once: the advisory lock lets one migrate.
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new PostgresConfigurationStore(at))));
        try
        {
            opened[0].AddDialPlan(Plan());
            await Task.WhenAll(opened.Select((s, i) => Task.Run(() =>
            {
                for (int n = 0; n < 5; n++)
                    s.AddIpGateway(new IpGateway { Name = $"gw{i}-{n}", Address = $"10.0.{i}.{n + 1}" });
            })));
            var snapshot = opened[1].Load();
            Assert.Equal(21, snapshot.Version);
            Assert.Equal(20, snapshot.IpGateways.Count);

            await using var connection = new NpgsqlConnection(at.ConnectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*), max(version) FROM schema_migrations", connection);
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(PostgresConfigurationStore.SchemaVersion, reader.GetInt64(0));
            Assert.Equal(PostgresConfigurationStore.SchemaVersion, reader.GetInt32(1));
        }
        finally
        {
            foreach (var s in opened)
                s.Dispose();
        }
    }

    [Fact]
    public async Task PinStateIsNoConfigurationChange()
    {
        using var store = new PostgresConfigurationStore(await FreshAsync());
        store.AddDialPlan(Plan());
        store.AddDialPlan(Plan("Other"));
        store.AddMailbox(new Mailbox { Extension = "1000", EmailAddress = "a@example.test", DialPlan = "Main" });
        long version = store.GetVersion();
        var state = new MailboxPinState { Hash = "pbkdf2$test", History = ["h1"], SetAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) };

        Assert.Throws<ConfigurationObjectNotFoundException>(() => store.SavePin("Main", "9999", state));
        store.SavePin("MAIN", "1000", state);
        store.SavePin("Main", "1000", state with { ConsecutiveFailures = 2 });
        Assert.Equal(state with { ConsecutiveFailures = 2 }, store.GetPin("main", "1000"));
        Assert.Equal(version, store.GetVersion());

        // The PIN follows a moved mailbox and goes with a removed one.
        store.UpdateMailbox("Main", "1000", store.GetMailbox("Main", "1000")! with { DialPlan = "Other", Extension = "2000" });
        Assert.Null(store.GetPin("Main", "1000"));
        Assert.Equal(2, store.GetPin("Other", "2000")!.ConsecutiveFailures);
        store.RemoveMailbox("Other", "2000");
        Assert.Null(store.GetPin("Other", "2000"));
    }

    [Fact]
    public async Task MonitorFollowsNotificationsAndSurvivesALostConnection()
    {
        var at = await FreshAsync();
        string database = new NpgsqlConnectionStringBuilder(at.ConnectionString).Database!;
        using var store = new PostgresConfigurationStore(at);
        using var writer = new PostgresConfigurationStore(at);
        // A poll interval far beyond the test: only notifications can bring the changes in.
        using var monitor = new ConfigurationMonitor(store, TimeProvider.System, TimeSpan.FromHours(1));
        var feed = ConfigurationStores.Follow(store, monitor)!;
        var changed = new SemaphoreSlim(0);
        var lost = new SemaphoreSlim(0);
        var restored = new SemaphoreSlim(0);
        monitor.Changed += _ => changed.Release();
        feed.Lost += _ => lost.Release();
        feed.Restored += _ => restored.Release();
        await using (feed)
        {
            feed.Start();
            var hangGuard = TimeSpan.FromSeconds(10);
            Assert.True(SpinWait.SpinUntil(() => feed.Listening, hangGuard), "the feed never started listening");

            writer.AddDialPlan(Plan());
            Assert.True(await changed.WaitAsync(hangGuard), "no reload after a committed change");
            Assert.NotNull(monitor.Current.FindDialPlan("Main"));

            // The server drops the listening session; the feed reconnects and catches up.
            await postgres.TerminateConnectionsAsync(database);
            Assert.True(await lost.WaitAsync(hangGuard), "the lost connection was not reported");
            writer.AddIpGateway(new IpGateway { Name = "gw", Address = "10.0.0.1" });
            Assert.True(await restored.WaitAsync(TimeSpan.FromSeconds(30)), "the feed did not reconnect");
            Assert.True(SpinWait.SpinUntil(() => monitor.Current.FindGateway("gw") is not null, hangGuard),
                "the change made while the feed was down never arrived");
        }
    }

    [Fact]
    public async Task SchemaMirrorsEverySqliteMigration()
    {
        var at = await FreshAsync();
        using (new PostgresConfigurationStore(at)) { }
        string dir = System.IO.Directory.CreateTempSubdirectory("openum-pg-parity-").FullName;
        try
        {
            string file = Path.Combine(dir, "config.db");
            using (new SqliteConfigurationStore(file)) { }
            Assert.Equal(SqliteConfigurationStore.SchemaVersion, PostgresConfigurationStore.SchemaVersion);

            var sqlite = new SortedSet<string>(StringComparer.Ordinal);
            using (var lite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
            {
                lite.Open();
                using var query = lite.CreateCommand();
                query.CommandText = "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";
                using var reader = query.ExecuteReader();
                while (reader.Read())
                    sqlite.Add(reader.GetString(0));
            }

            var pg = new SortedSet<string>(StringComparer.Ordinal);
            await using (var connection = new NpgsqlConnection(at.ConnectionString))
            {
                await connection.OpenAsync();
                await using var query = new NpgsqlCommand(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name <> 'seq'",
                    connection);
                await using var reader = await query.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    pg.Add(reader.GetString(0));
            }

            // Same tables and columns (seq is PostgreSQL's stand-in for SQLite's implicit rowid).
            Assert.Equal(sqlite, pg);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("postgres://openum:s3cr%40t@db.example:5433/umcfg?sslmode=require", "db.example", 5433, "umcfg", "s3cr@t")]
    [InlineData("postgresql://openum@[::1]/openum", "::1", 5432, "openum", null)]
    [InlineData("Host=db;Port=6000;Username=openum;Password=s3cr@t;Database=openum", "db", 6000, "openum", "s3cr@t")]
    public void LocationsParseAndNeverShowThePassword(string text, string host, int port, string database, string? password)
    {
        var location = StoreLocation.Parse(text);
        var parsed = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal((host, port, database, password), (parsed.Host, parsed.Port, parsed.Database, parsed.Password));
        Assert.DoesNotContain("s3cr", location.ToString(), StringComparison.Ordinal);
        Assert.Contains(host, location.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://u:s3cr3t@db/openum?frobnicate=1")]
    [InlineData("just-a-word")]
    [InlineData("Host=db;Pasword=s3cr3t")]
    public void MalformedLocationsAreRefusedWithoutEchoingThem(string text)
    {
        Assert.False(StoreLocation.TryParse(text, out _, out var error));
        Assert.NotNull(error);
        Assert.DoesNotContain("s3cr3t", error, StringComparison.Ordinal);
    }
}
