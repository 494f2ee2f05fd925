using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

public class SnapshotTests
{
    [Fact]
    public void LookupsAreCaseInsensitiveAndFollowLinks()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.AddDialPlan(DialPlan("Branch"));
        temp.Store.AddHuntGroup(HuntGroup("hg-branch", "pbx", "Branch", "+15550100"));
        var s = temp.Store.Load();

        Assert.Equal(9, s.Version);
        Assert.Equal("Main", s.FindDialPlan("MAIN")!.Name);
        Assert.Equal("192.0.2.10", s.FindGateway("IPGW")!.Address);
        Assert.Equal("alice@example.com", s.FindMailbox("main", "1234")!.EmailAddress);
        Assert.Equal("1234", s.FindMailboxByEmail("Alice@Example.com")!.Extension);
        Assert.Null(s.FindMailbox("Branch", "1234"));
        Assert.Equal(["hg", "hg-branch"], s.HuntGroupsForGateway("PBX").Select(h => h.Name));
        Assert.Equal(["Main", "Branch"], s.DialPlansForGateway("pbx").Select(d => d.Name));
        Assert.Equal(["pbx", "ipgw"], s.GatewaysForDialPlan("main").Select(g => g.Name));
        Assert.Single(s.MailboxesForDialPlan("MAIN"));
        Assert.Empty(s.MailboxesForDialPlan("Branch"));
        Assert.Empty(s.HuntGroupsForGateway("unknown"));
    }

    [Fact]
    public void ServerWithNoDialPlanListServesThemAll()
    {
        var plans = new[] { DialPlan("a"), DialPlan("b") };
        var snapshot = new ConfigurationSnapshot(1, plans, [], [], [], []);
        Assert.Equal(2, snapshot.DialPlansServedBy(Server()).Count);
        Assert.Equal(["b"], snapshot.DialPlansServedBy(Server() with { DialPlans = ["B"] }).Select(d => d.Name));
    }

    [Fact]
    public void ListsCannotBeMutatedThroughTheSnapshot()
    {
        var snapshot = new ConfigurationSnapshot(1, [DialPlan()], [], [], [], []);
        var list = Assert.IsAssignableFrom<IList<DialPlan>>(snapshot.DialPlans);
        Assert.True(list.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => list[0] = DialPlan("x"));
    }
}
