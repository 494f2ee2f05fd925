using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.AutoAttendants;

/// <summary>The controller on loopback: an attendant's pilot number reaches it when enabled, and gets 480 while disabled.</summary>
public sealed class AttendantRoutingTests
{
    private static ConfigurationSnapshot With(AutoAttendant attendant)
    {
        var c = CallControllerHarness.Snapshot();
        return new ConfigurationSnapshot(1, c.DialPlans, c.IpGateways, c.HuntGroups, c.UmServers, c.Mailboxes, [], [attendant]);
    }

    [Fact]
    public async Task APilotNumberReachesItsAttendantAndADisabledOneIsRefused()
    {
        await using var harness = await CallControllerHarness.StartAsync(subscriberAccess: true);
        var reception = new AutoAttendant { Name = "Reception", DialPlan = "Test", PilotIdentifierList = ["5100"] };
        harness.Configuration = With(reception);
        var (refused, client1) = await harness.CallAsync("5100");
        await using (client1)
        {
            Assert.Equal(480, refused.StatusCode);
            Assert.Equal("Reception", Assert.Single(harness.Events.Records(2096)).Field<string>("AutoAttendant"));
        }

        harness.Configuration = With(reception with { Status = UmStatus.Enabled });
        var (answered, client2) = await harness.CallAsync("5100");
        await using var _ = client2;
        Assert.Equal(200, answered.StatusCode);
        await TestWait.UntilAsync(() => harness.Events.Records(2093).Count == 1, "the attendant's greeting event");
        Assert.Equal("Reception", harness.Events.Records(2093)[0].Field<string>("AutoAttendant"));
        Assert.Equal("en-US", harness.Events.Records(2093)[0].Field<string>("Language"));   // the dial plan's default
        Assert.Equal("(auto attendant Reception)", Assert.Single(harness.Events.Records(2002)).Field<string>("Extension")); // not a voicemail call for 5100
        await answered.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));

        // An attendant of its own language speaks it, whatever its dial plan's.
        harness.Configuration = With(reception with { Status = UmStatus.Enabled, Language = "fr-FR" });
        var (french, client3) = await harness.CallAsync("5100");
        await using var __ = client3;
        Assert.Equal(200, french.StatusCode);
        await TestWait.UntilAsync(() => harness.Events.Records(2093).Count == 2, "the French attendant's greeting event");
        Assert.Equal("fr-FR", harness.Events.Records(2093)[1].Field<string>("Language"));
        await french.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
