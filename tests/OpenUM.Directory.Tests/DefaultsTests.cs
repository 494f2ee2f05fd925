namespace OpenUM.Directory.Tests;

public class DefaultsTests
{
    [Fact]
    public void DialPlanDefaultsFollowExchange()
    {
        var d = new DialPlan { Name = "dp", NumberOfDigitsInExtension = 5 };
        Assert.Equal(UmUriType.TelExtn, d.UriType);
        Assert.Equal(VoipSecurity.Unsecured, d.VoipSecurity);
        Assert.Empty(d.AccessTelephoneNumbers);
        Assert.Null(d.CountryOrRegionCode);
        Assert.Equal("9", d.OutsideLineAccessCode);
        Assert.Null(d.InternationalAccessCode);
        Assert.Null(d.NationalNumberPrefix);
        Assert.True(d.AllowDialPlanSubscribers);
        Assert.False(d.AllowExtensions);
        Assert.Equal(TimeSpan.FromMinutes(30), d.MaxCallDuration);
        Assert.Equal(TimeSpan.FromMinutes(20), d.MaxRecordingDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), d.RecordingIdleTimeout);
        Assert.Equal(3, d.LogonFailuresBeforeDisconnect);
        Assert.Null(d.OperatorExtension);
        Assert.False(d.IsSecured);
        Assert.NotEqual(Guid.Empty, d.Id);
    }

    [Fact]
    public void GatewayDefaultsAndEffectivePort()
    {
        var g = new IpGateway { Name = "gw", Address = "gw.example.com" };
        Assert.Equal(0, g.Port);
        Assert.Equal(UmStatus.Enabled, g.Status);
        Assert.True(g.OutcallsAllowed);
        Assert.True(g.MessageWaitingIndicatorAllowed);
        Assert.Equal(IPAddressFamily.IPv4Only, g.IPAddressFamily);
        Assert.Equal(5061, g.EffectivePort(secured: true));
        Assert.Equal(5060, g.EffectivePort(secured: false));
        Assert.Equal(5080, (g with { Port = 5080 }).EffectivePort(secured: true));
        Assert.False(g.HasIPAddress);
        Assert.True((g with { Address = "2001:db8::1" }).HasIPAddress);
    }

    [Fact]
    public void ServerHuntGroupAndMailboxDefaults()
    {
        var s = new UmServer { Name = "um" };
        Assert.Empty(s.DialPlans);
        Assert.Equal(UmStatus.Enabled, s.Status);
        Assert.Equal(100, s.MaxCallsAllowed);
        Assert.Equal(5060, s.SipTcpListeningPort);
        Assert.Equal(5061, s.SipTlsListeningPort);
        Assert.Equal(UmStartupMode.Auto, s.StartupMode);
        Assert.Equal(0, s.StartSecured);
        Assert.Null(s.CertificateThumbprint);
        Assert.Null(new HuntGroup { Name = "h", IpGateway = "g", DialPlan = "d" }.PilotIdentifier);
        var m = new Mailbox { Extension = "1", EmailAddress = "a@b.c", DialPlan = "d" };
        Assert.Equal("", m.DisplayName);
        Assert.Null(m.SipUri);
        Assert.Null(m.GreetingFile);
    }

    [Fact]
    public void ListsCompareByContentAndAreCopied()
    {
        var source = new List<string> { "+14255550100" };
        var a = new DialPlan { Name = "dp", NumberOfDigitsInExtension = 4, AccessTelephoneNumbers = source };
        var b = a with { AccessTelephoneNumbers = ["+14255550100"] };
        Assert.Equal(a, b);
        source.Add("123");
        Assert.Single(a.AccessTelephoneNumbers);
        Assert.NotEqual(a, a with { AccessTelephoneNumbers = ["1"] });
        Assert.Empty(new UmServer { Name = "s", DialPlans = null! }.DialPlans);
    }
}
