using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

public class ValidationTests
{
    private static readonly Dictionary<string, (string Field, Action<IConfigurationStore> Act)> Cases = new()
    {
        ["dial plan: empty name"] = ("name", s => s.AddDialPlan(DialPlan("") )),
        ["dial plan: 65-char name"] = ("name", s => s.AddDialPlan(DialPlan(new string('a', 65)))),
        ["dial plan: control char in name"] = ("name", s => s.AddDialPlan(DialPlan("a\nb"))),
        ["dial plan: surrounding space"] = ("name", s => s.AddDialPlan(DialPlan(" Other"))),
        ["dial plan: duplicate name, other case"] = ("name", s => s.AddDialPlan(DialPlan("MAIN"))),
        ["dial plan: 0 digits"] = ("number-of-digits-in-extension", s => s.AddDialPlan(DialPlan("x", 0))),
        ["dial plan: 21 digits"] = ("number-of-digits-in-extension", s => s.AddDialPlan(DialPlan("x", 21))),
        ["dial plan: undefined uri type"] = ("uri-type", s => s.AddDialPlan(DialPlan("x") with { UriType = (UmUriType)9 })),
        ["dial plan: undefined security"] = ("voip-security", s => s.AddDialPlan(DialPlan("x") with { VoipSecurity = (VoipSecurity)9 })),
        ["dial plan: call duration 9 min"] = ("max-call-duration", s => s.AddDialPlan(DialPlan("x") with { MaxCallDuration = TimeSpan.FromMinutes(9) })),
        ["dial plan: call duration 121 min"] = ("max-call-duration", s => s.AddDialPlan(DialPlan("x") with { MaxCallDuration = TimeSpan.FromMinutes(121) })),
        ["dial plan: recording 0"] = ("max-recording-duration", s => s.AddDialPlan(DialPlan("x") with { MaxRecordingDuration = TimeSpan.Zero })),
        ["dial plan: recording 101 min"] = ("max-recording-duration", s => s.AddDialPlan(DialPlan("x") with { MaxRecordingDuration = TimeSpan.FromMinutes(101) })),
        ["dial plan: idle 1 s"] = ("recording-idle-timeout", s => s.AddDialPlan(DialPlan("x") with { RecordingIdleTimeout = TimeSpan.FromSeconds(1) })),
        ["dial plan: idle 11 s"] = ("recording-idle-timeout", s => s.AddDialPlan(DialPlan("x") with { RecordingIdleTimeout = TimeSpan.FromSeconds(11) })),
        ["dial plan: logon failures 0"] = ("logon-failures-before-disconnect", s => s.AddDialPlan(DialPlan("x") with { LogonFailuresBeforeDisconnect = 0 })),
        ["dial plan: access code 9a"] = ("outside-line-access-code", s => s.AddDialPlan(DialPlan("x") with { OutsideLineAccessCode = "9a" })),
        ["dial plan: international code empty"] = ("international-access-code", s => s.AddDialPlan(DialPlan("x") with { InternationalAccessCode = "" })),
        ["dial plan: national prefix letters"] = ("national-number-prefix", s => s.AddDialPlan(DialPlan("x") with { NationalNumberPrefix = "O" })),
        ["dial plan: country code letters"] = ("country-or-region-code", s => s.AddDialPlan(DialPlan("x") with { CountryOrRegionCode = "FR" })),
        ["dial plan: bad access number"] = ("access-telephone-numbers", s => s.AddDialPlan(DialPlan("x") with { AccessTelephoneNumbers = ["555-0100"] })),
        ["dial plan: duplicate access number"] = ("access-telephone-numbers", s => s.AddDialPlan(DialPlan("x") with { AccessTelephoneNumbers = ["100", "100"] })),
        ["dial plan: operator not digits"] = ("operator-extension", s => s.AddDialPlan(DialPlan("x") with { OperatorExtension = "op" })),
        ["dial plan: digits change orphans mailbox"] = ("number-of-digits-in-extension", s => s.UpdateDialPlan(DialPlan(digits: 5))),
        ["dial plan: SipName with mailbox lacking SIP URI"] = ("uri-type", s => s.UpdateDialPlan(DialPlan() with { UriType = UmUriType.SipName })),
        ["dial plan: secured while linked to an IP gateway"] = ("voip-security", s => s.UpdateDialPlan(DialPlan() with { VoipSecurity = VoipSecurity.SipSecured })),
        ["gateway: underscore host"] = ("address", s => s.AddIpGateway(Gateway("g2", "bad_host.example.com"))),
        ["gateway: numeric top label"] = ("address", s => s.AddIpGateway(Gateway("g2", "10.0.0.300"))),
        ["gateway: leading zero IPv4"] = ("address", s => s.AddIpGateway(Gateway("g2", "10.0.0.01"))),
        ["gateway: bracketed IPv6"] = ("address", s => s.AddIpGateway(Gateway("g2", "[2001:db8::1]"))),
        ["gateway: label starts with hyphen"] = ("address", s => s.AddIpGateway(Gateway("g2", "-pbx.example.com"))),
        ["gateway: empty address"] = ("address", s => s.AddIpGateway(Gateway("g2", ""))),
        ["gateway: port 65536"] = ("port", s => s.AddIpGateway(Gateway("g2") with { Port = 65536 })),
        ["gateway: port -1"] = ("port", s => s.AddIpGateway(Gateway("g2") with { Port = -1 })),
        ["gateway: IPv6 literal with IPv4Only"] = ("ip-address-family", s => s.AddIpGateway(Gateway("g2", "2001:db8::1"))),
        ["gateway: duplicate name"] = ("name", s => s.AddIpGateway(Gateway("PBX"))),
        ["gateway: IP address while linked to a secured plan"] = ("address", s =>
        {
            s.AddDialPlan(DialPlan("Sec") with { VoipSecurity = VoipSecurity.Secured });
            s.AddHuntGroup(HuntGroup("hg-sec", "pbx", "Sec", "+100"));
            s.UpdateIpGateway(Gateway(address: "192.0.2.20"));
        }),
        ["hunt group: unknown gateway"] = ("ip-gateway", s => s.AddHuntGroup(HuntGroup("h2", "nope"))),
        ["hunt group: unknown dial plan"] = ("dial-plan", s => s.AddHuntGroup(HuntGroup("h2", dialPlan: "nope", pilot: "1"))),
        ["hunt group: second catch-all"] = ("pilot-identifier", s => s.AddHuntGroup(HuntGroup("h2"))),
        ["hunt group: duplicate pilot"] = ("pilot-identifier", s =>
        {
            s.AddHuntGroup(HuntGroup("h2", pilot: "+1555"));
            s.AddHuntGroup(HuntGroup("h3", pilot: "+1555"));
        }),
        ["hunt group: pilot with space"] = ("pilot-identifier", s => s.AddHuntGroup(HuntGroup("h2", pilot: "1 2"))),
        ["hunt group: IP gateway to secured plan"] = ("ip-gateway", s =>
        {
            s.AddDialPlan(DialPlan("Sec") with { VoipSecurity = VoipSecurity.SipSecured });
            s.AddHuntGroup(HuntGroup("h2", "ipgw", "Sec", "+100"));
        }),
        ["mailbox: unknown dial plan"] = ("dial-plan", s => s.AddMailbox(Mailbox("1235", "b@example.com", "nope"))),
        ["mailbox: extension not digits"] = ("extension", s => s.AddMailbox(Mailbox("12a4", "b@example.com"))),
        ["mailbox: extension too short"] = ("extension", s => s.AddMailbox(Mailbox("123", "b@example.com"))),
        ["mailbox: extension too long"] = ("extension", s => s.AddMailbox(Mailbox("12345", "b@example.com"))),
        ["mailbox: duplicate extension"] = ("extension", s => s.AddMailbox(Mailbox("1234", "b@example.com"))),
        ["mailbox: email without @"] = ("email", s => s.AddMailbox(Mailbox("1235", "bob.example.com"))),
        ["mailbox: email with slash"] = ("email", s => s.AddMailbox(Mailbox("1235", "a/b@example.com"))),
        ["mailbox: email with display name"] = ("email", s => s.AddMailbox(Mailbox("1235", "Bob <bob@example.com>"))),
        ["mailbox: email with dot-dot"] = ("email", s => s.AddMailbox(Mailbox("1235", "a..b@example.com"))),
        ["mailbox: duplicate email"] = ("email", s => s.AddMailbox(Mailbox("1235", "ALICE@example.com"))),
        ["mailbox: display name control char"] = ("display-name", s => s.AddMailbox(Mailbox("1235", "b@example.com") with { DisplayName = "B\u0007" })),
        ["mailbox: bad SIP URI"] = ("sip-uri", s => s.AddMailbox(Mailbox("1235", "b@example.com") with { SipUri = "bob@example.com" })),
        ["mailbox: SipName plan without SIP URI"] = ("sip-uri", s =>
        {
            s.AddDialPlan(DialPlan("Sip") with { UriType = UmUriType.SipName });
            s.AddMailbox(Mailbox("1235", "b@example.com", "Sip"));
        }),
        ["mailbox: greeting escapes data dir"] = ("greeting-file", s => s.AddMailbox(Mailbox("1235", "b@example.com") with { GreetingFile = "../etc/passwd" })),
        ["mailbox: absolute greeting"] = ("greeting-file", s => s.AddMailbox(Mailbox("1235", "b@example.com") with { GreetingFile = "/etc/passwd" })),
        ["server: 0 calls"] = ("max-calls-allowed", s => s.AddUmServer(Server("um2") with { MaxCallsAllowed = 0 })),
        ["server: TCP port 0"] = ("sip-tcp-listening-port", s => s.AddUmServer(Server("um2") with { SipTcpListeningPort = 0 })),
        ["server: TLS port 70000"] = ("sip-tls-listening-port", s => s.AddUmServer(Server("um2") with { SipTlsListeningPort = 70000 })),
        ["server: TCP equals TLS"] = ("sip-tls-listening-port", s => s.AddUmServer(Server("um2") with { SipTlsListeningPort = 5060 })),
        ["server: unknown dial plan"] = ("dial-plans", s => s.AddUmServer(Server("um2") with { DialPlans = ["nope"] })),
        ["server: start secured 2"] = ("start-secured", s => s.AddUmServer(Server("um2") with { StartSecured = 2 })),
        ["server: bad thumbprint"] = ("certificate-thumbprint", s => s.AddUmServer(Server("um2") with { CertificateThumbprint = "xyz" })),
        ["server: duplicate name"] = ("name", s => s.AddUmServer(Server("UM1"))),
        ["server: handshake timeout 0"] = ("tls-handshake-timeout", s => s.AddUmServer(Server("um2") with { TlsHandshakeTimeout = TimeSpan.Zero })),
        ["server: message timeout 121 s"] = ("sip-message-timeout", s => s.AddUmServer(Server("um2") with { SipMessageTimeout = TimeSpan.FromSeconds(121) })),
        ["server: 0 connections per address"] = ("max-connections-per-address", s => s.AddUmServer(Server("um2") with { MaxConnectionsPerAddress = 0 })),
        ["server: rate 10001"] = ("connection-rate-per-address", s => s.AddUmServer(Server("um2") with { ConnectionRatePerAddress = 10_001 })),
        ["remove: dial plan used by hunt groups and mailbox"] = ("name", s => s.RemoveDialPlan("main")),
        ["remove: gateway used by hunt group"] = ("name", s => s.RemoveIpGateway("pbx")),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RefusesWithTheField(string caseName)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var (field, act) = Cases[caseName];
        var ex = Assert.Throws<ConfigurationValidationException>(() => act(temp.Store));
        Assert.Equal(field, ex.Field);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void RemovalMessageNamesTheReferences()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.UpdateUmServer(Server() with { DialPlans = ["Main"] });
        var ex = Assert.Throws<ConfigurationValidationException>(() => temp.Store.RemoveDialPlan("Main"));
        Assert.Contains("hunt group 'hg'", ex.Message);
        Assert.Contains("UM server 'um1'", ex.Message);
        Assert.Contains("1234", ex.Message);
    }

    [Fact]
    public void SecuredPlanAcceptsFqdnGatewaysAndIPv6WithAnyFamily()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.AddDialPlan(DialPlan("Sec") with { VoipSecurity = VoipSecurity.Secured });
        temp.Store.AddHuntGroup(HuntGroup("hg-sec", "pbx", "Sec", "+100"));
        temp.Store.AddIpGateway(Gateway("v6", "2001:db8::1") with { IPAddressFamily = IPAddressFamily.Any });
        temp.Store.AddIpGateway(Gateway("local", "localhost"));
        temp.Store.RemoveHuntGroup("hg-ip");
        temp.Store.UpdateDialPlan(DialPlan() with { VoipSecurity = VoipSecurity.SipSecured });
        Assert.Equal(VoipSecurity.SipSecured, temp.Store.GetDialPlan("main")!.VoipSecurity);
    }

    [Fact]
    public void ValidateWholeConfigurationFindsDuplicates()
    {
        var config = new ConfigurationSnapshot(1, [DialPlan("a"), DialPlan("A")], [], [], [], []);
        var ex = Assert.Throws<ConfigurationValidationException>(() => ConfigurationValidator.Validate(config));
        Assert.Equal("name", ex.Field);
        ConfigurationValidator.Validate(new ConfigurationSnapshot(1, [DialPlan("a"), DialPlan("b")], [], [], [], []));
    }

    [Fact]
    public void NullRequiredFieldIsAValidationErrorNotACrash()
    {
        using var temp = new TempStore();
        var ex = Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddDialPlan(DialPlan(null!)));
        Assert.Equal("name", ex.Field);
    }
}
