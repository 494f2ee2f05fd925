using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

/// <summary>First-run seeding: all or nothing, only into an empty store, by exactly one of several concurrent callers.</summary>
public sealed class SeedTests
{
    private static ConfigurationSnapshot Demo() =>
        new(0, [DialPlan()], [Gateway()], [HuntGroup()], [], [Mailbox()]);

    [Fact]
    public void OfConcurrentSeedersOnAnEmptyStoreExactlyOneWrites()
    {
        using var temp = new TempStore();
        const int Seeders = 6;
        var stores = Enumerable.Range(0, Seeders).Select(_ => temp.OpenAnother()).ToArray();
        try
        {
            using var start = new Barrier(Seeders);
            var seeded = stores.AsParallel().WithDegreeOfParallelism(Seeders).Select(store =>
            {
                start.SignalAndWait();
                return store.AddIfEmpty(Demo());
            }).ToArray();

            Assert.Single(seeded, s => s);
            var loaded = temp.Store.Load();
            Assert.Equal(1, loaded.Version);   // one transaction, one version
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
    public void AConfiguredStoreIsLeftAlone()
    {
        using var temp = new TempStore();
        temp.Store.AddIpGateway(Gateway("other", "192.0.2.1"));
        Assert.False(temp.Store.AddIfEmpty(Demo()));
        Assert.Equal(1, temp.Store.GetVersion());
        Assert.Null(temp.Store.GetDialPlan("Main"));
    }

    [Fact]
    public void AnInvalidSeedWritesNothing()
    {
        using var temp = new TempStore();
        // The hunt group names a gateway the seed does not hold: validation refuses it after the dial plan was inserted.
        var broken = new ConfigurationSnapshot(0, [DialPlan()], [], [HuntGroup(gateway: "missing")], [], []);
        Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddIfEmpty(broken));
        Assert.Equal(0, temp.Store.GetVersion());
        Assert.Empty(temp.Store.Load().DialPlans);
    }
}
