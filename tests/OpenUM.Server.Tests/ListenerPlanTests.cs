using OpenUM.Directory;

namespace OpenUM.Server.Tests;

/// <summary>RUN-1: the listeners a server runs, from its dial plans, StartSecured and StartupMode.</summary>
public class ListenerPlanTests
{
    private static DialPlan Plan(string name, VoipSecurity security) => new() { Name = name, NumberOfDigitsInExtension = 4, VoipSecurity = security };

    private static ConfigurationSnapshot Config(params DialPlan[] plans) => new(1, plans, [], [], [], []);

    [Theory]
    [InlineData(new[] { VoipSecurity.Unsecured }, "TCP")]
    [InlineData(new[] { VoipSecurity.Unsecured, VoipSecurity.Unsecured }, "TCP")]
    [InlineData(new[] { VoipSecurity.SipSecured }, "TLS")]
    [InlineData(new[] { VoipSecurity.SipSecured, VoipSecurity.Secured }, "TLS")]
    [InlineData(new[] { VoipSecurity.Unsecured, VoipSecurity.Secured }, "Dual")]
    public void TheDialPlansDecideInAutoMode(VoipSecurity[] modes, string expected)
    {
        var config = Config([.. modes.Select((m, i) => Plan($"dp{i}", m))]);
        Assert.Equal(expected, ListenerPlan.Decide(new UmServer { Name = "um1" }, config).Mode);
    }

    [Fact]
    public void OnlyTheServersOwnDialPlansCountWhenItHasAList()
    {
        var config = Config(Plan("open", VoipSecurity.Unsecured), Plan("secure", VoipSecurity.SipSecured));
        Assert.Equal("TLS", ListenerPlan.Decide(new UmServer { Name = "um1", DialPlans = ["secure"] }, config).Mode);
        Assert.Equal("Dual", ListenerPlan.Decide(new UmServer { Name = "um1" }, config).Mode);
    }

    [Theory]
    [InlineData(0, "TCP")]
    [InlineData(1, "TLS")]
    public void StartSecuredDecidesWithoutDialPlans(int startSecured, string expected)
    {
        Assert.Equal(expected, ListenerPlan.Decide(new UmServer { Name = "um1", StartSecured = startSecured }, Config()).Mode);
    }

    [Theory]
    [InlineData(UmStartupMode.Tcp, "TCP")]
    [InlineData(UmStartupMode.Tls, "TLS")]
    [InlineData(UmStartupMode.Dual, "Dual")]
    public void AStartupModeOtherThanAutoOverrides(UmStartupMode mode, string expected)
    {
        var config = Config(Plan("secure", VoipSecurity.SipSecured));
        Assert.Equal(expected, ListenerPlan.Decide(new UmServer { Name = "um1", StartupMode = mode }, config).Mode);
    }
}
