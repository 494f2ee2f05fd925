using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Directory.Postgres;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Postgres;

/// <summary>
/// Servers sharing one PostgreSQL store at the same moment: PIN failures counted from several stores (connection
/// pools) lock after exactly MaxLogonAttempts, and servers starting together on an empty store all come up.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConcurrencyTests(TempPostgres postgres, ITestOutputHelper output)
{
    private const string Pin = "482917";
    private const int MaxLogonAttempts = 4;

    private async Task<StoreLocation> FreshAsync() =>
        StoreLocation.Parse(await postgres.CreateDatabaseAsync("conc_" + Guid.NewGuid().ToString("N")[..12]));

    private static void SeedMailboxWithPin(IConfigurationStore store)
    {
        store.AddDialPlan(new DialPlan { Name = "Main", NumberOfDigitsInExtension = 4 });
        store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = MaxLogonAttempts, LogonFailuresBeforePinReset = 2 });
        store.AddMailbox(new Mailbox
        {
            Extension = "1234", DisplayName = "Alice", EmailAddress = "alice@example.com", DialPlan = "Main", MailboxPolicy = "Strict",
        });
        store.SavePin("Main", "1234", new MailboxPinState { Hash = PinHasher.Hash(Pin, PinHasher.MinIterations), SetAt = DateTimeOffset.UtcNow });
    }

    [Fact]
    public async Task ParallelWrongLogonsThroughSeveralStoresLockAfterExactlyMaxLogonAttempts()
    {
        var at = await FreshAsync();
        const int Workers = 6, GuessesEach = 3;
        var stores = Enumerable.Range(0, Workers).Select(_ => new PostgresConfigurationStore(at)).ToArray();
        try
        {
            SeedMailboxWithPin(stores[0]);
            using var start = new Barrier(Workers);
            var outcomes = stores.AsParallel().WithDegreeOfParallelism(Workers).SelectMany((store, w) =>
            {
                var auth = new PinAuthenticator(store, TimeProvider.System);
                start.SignalAndWait();
                return Enumerable.Range(0, GuessesEach).Select(g => auth.Logon("Main", "1234", $"9{w}{g}000")).ToArray();
            }).ToArray();

            Assert.Equal(Enumerable.Range(1, MaxLogonAttempts - 1),
                outcomes.Where(o => o.Result == LogonResult.WrongPin).Select(o => o.ConsecutiveFailures).Order());
            Assert.Equal(Workers * GuessesEach - (MaxLogonAttempts - 1), outcomes.Count(o => o.Result == LogonResult.LockedOut));
            Assert.All(outcomes.Where(o => o.Result == LogonResult.LockedOut), o => Assert.Equal(MaxLogonAttempts, o.ConsecutiveFailures));
            var state = stores[^1].GetPin("main", "1234")!;
            Assert.Equal((MaxLogonAttempts, true), (state.ConsecutiveFailures, state.LockedOut));
            // Locked for every server: even the right PIN is refused.
            Assert.Equal(LogonResult.LockedOut, new PinAuthenticator(stores[2], TimeProvider.System).Logon("Main", "1234", Pin).Result);
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public async Task TheStoreCountsEachFailureOnceAcrossConnections()
    {
        var at = await FreshAsync();
        const int Calls = 24;
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresConfigurationStore(at)).ToArray();
        try
        {
            SeedMailboxWithPin(stores[0]);
            var version = stores[0].GetVersion();
            using var start = new Barrier(Calls);
            var after = Enumerable.Range(0, Calls).AsParallel().WithDegreeOfParallelism(Calls).Select(i =>
            {
                start.SignalAndWait();
                return stores[i % stores.Length].RecordLogonFailure("MAIN", "1234", MaxLogonAttempts)!;
            }).ToArray();

            Assert.Equal(Enumerable.Range(1, MaxLogonAttempts - 1), after.Where(s => !s.LockedOut).Select(s => s.ConsecutiveFailures).Order());
            Assert.All(after.Where(s => s.LockedOut), s => Assert.Equal(MaxLogonAttempts, s.ConsecutiveFailures));
            Assert.False(stores[1].RecordLogonSuccess("Main", "1234"));   // a lockout is never cleared by a late right PIN
            Assert.Equal(version, stores[3].GetVersion());                // PIN state is no configuration change
            Assert.Null(stores[2].RecordLogonFailure("Main", "9999", MaxLogonAttempts));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public async Task OfConcurrentSeedersOnAnEmptyStoreExactlyOneWrites()
    {
        var at = await FreshAsync();
        const int Seeders = 4;
        var stores = Enumerable.Range(0, Seeders).Select(_ => new PostgresConfigurationStore(at)).ToArray();
        try
        {
            using var start = new Barrier(Seeders);
            var seeded = stores.AsParallel().WithDegreeOfParallelism(Seeders).Select(store =>
            {
                start.SignalAndWait();
                return store.AddIfEmpty(new ConfigurationSnapshot(0,
                    [new DialPlan { Name = "Default", NumberOfDigitsInExtension = 4 }],
                    [new IpGateway { Name = "Loopback", Address = "127.0.0.1" }],
                    [new HuntGroup { Name = "Loopback-Default", IpGateway = "Loopback", DialPlan = "Default" }],
                    [],
                    [new Mailbox { Extension = "1000", DisplayName = "Demo", EmailAddress = "user1000@localhost", DialPlan = "Default" }]));
            }).ToArray();

            Assert.Single(seeded, s => s);
            var loaded = stores[0].Load();
            Assert.Equal(1, loaded.Version);
            Assert.Equal((1, 1, 1, 1), (loaded.DialPlans.Count, loaded.IpGateways.Count, loaded.HuntGroups.Count, loaded.Mailboxes.Count));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public async Task TwoServersStartedAtOnceOnAnEmptyStoreBothListen()
    {
        string store = await postgres.CreateDatabaseAsync("start_" + Guid.NewGuid().ToString("N")[..12]);
        await using var first = new OpenUmProcess(output);
        await using var second = new OpenUmProcess(output);
        foreach (var um in new[] { first, second })
        {
            string path = Path.Combine(um.DataDir, "store.conf");
            File.WriteAllText(path, "# shared configuration store\n" + store + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // Both processes are launched before either is waited for: both see the empty store at about the same moment.
        await Task.WhenAll(first.StartAsync(), second.StartAsync());

        Assert.Contains(first.ReadEvents(), e => e.Id == 1114);
        Assert.Contains(second.ReadEvents(), e => e.Id == 1114);
        Assert.DoesNotContain(first.ReadEvents().Concat(second.ReadEvents()), e => e.Id == 1038);
        // Exactly one of them created the demo configuration; the other found it there.
        Assert.Equal(1, first.ReadEvents().Count(e => e.Id == 2010) + second.ReadEvents().Count(e => e.Id == 2010));
        using (var reader = new PostgresConfigurationStore(StoreLocation.Parse(store)))
        {
            var loaded = reader.Load();
            Assert.Equal((1, 1), (loaded.DialPlans.Count, loaded.Mailboxes.Count));
            Assert.Single(loaded.UmServers);   // both run under the same default server name
        }

        await first.AssertCleanStopAsync();
        await second.AssertCleanStopAsync();
    }
}
