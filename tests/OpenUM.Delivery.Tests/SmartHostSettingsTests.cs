using OpenUM.Delivery.Smtp;
using OpenUM.Directory;

namespace OpenUM.Delivery.Tests;

public class SmartHostSettingsTests
{
    [Theory]
    [InlineData("mail.contoso.com:25", "mail.contoso.com", 25)]
    [InlineData("localhost:33001", "localhost", 33001)]
    [InlineData("192.0.2.7:587", "192.0.2.7", 587)]
    [InlineData("[2001:db8::25]:465", "2001:db8::25", 465)]
    public void EndpointsParse(string value, string host, int port)
    {
        Assert.True(SmartHostEndpoint.TryParse(value, out var h, out var p));
        Assert.Equal((host, port), (h, p));
    }

    [Theory]
    [InlineData("mail.contoso.com")]
    [InlineData("mail.contoso.com:0")]
    [InlineData("mail.contoso.com:65536")]
    [InlineData(":25")]
    [InlineData("2001:db8::25:25")]
    [InlineData("mail contoso:25")]
    [InlineData("mail/x:25")]
    [InlineData("[mail]:25")]
    public void BadEndpointsAreRefusedNamingTheField(string value)
    {
        Assert.False(SmartHostEndpoint.TryParse(value, out _, out _));
        var e = Assert.Throws<ConfigurationValidationException>(() => Validate(new UmServer { Name = "um1", SmartHost = value }));
        Assert.Equal(ConfigurationFields.SmartHost, e.Field);
    }

    [Fact]
    public void RulesNameTheCliField()
    {
        Assert.Equal(ConfigurationFields.SmartHostPasswordFile,
            Assert.Throws<ConfigurationValidationException>(() => Validate(new UmServer { Name = "um1", SmartHostUser = "u" })).Field);
        Assert.Equal(ConfigurationFields.SmartHostPasswordFile,
            Assert.Throws<ConfigurationValidationException>(() => Validate(new UmServer { Name = "um1", SmartHostUser = "u", SmartHostPasswordFile = "pw.txt" })).Field);
        Assert.Equal(ConfigurationFields.SmartHostRetryInterval,
            Assert.Throws<ConfigurationValidationException>(() => Validate(new UmServer { Name = "um1", SmartHostRetryInterval = TimeSpan.Zero })).Field);
        Assert.Equal(ConfigurationFields.SmartHostMaxRetryInterval,
            Assert.Throws<ConfigurationValidationException>(() => Validate(new UmServer { Name = "um1", SmartHostRetryInterval = TimeSpan.FromMinutes(5), SmartHostMaxRetryInterval = TimeSpan.FromMinutes(1) })).Field);
        Assert.Equal(ConfigurationFields.SmartHostTls,
            Assert.Throws<ConfigurationValidationException>(() => Validate(new UmServer { Name = "um1", SmartHostTls = (SmartHostTls)7 })).Field);
        Validate(new UmServer { Name = "um1", SmartHost = "mail.example.test:25", SmartHostUser = "u", SmartHostPasswordFile = "/etc/openum/pw" });
    }

    [Fact]
    public void SettingsFollowTheServerObject()
    {
        Assert.Null(SmartHostSettings.From(null));
        Assert.Null(SmartHostSettings.From(new UmServer { Name = "um1" }));
        var s = SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "[2001:db8::1]:465", SmartHostTls = SmartHostTls.Implicit });
        Assert.NotNull(s);
        Assert.Equal(("2001:db8::1", 465, SmartHostTls.Implicit, true), (s.Host, s.Port, s.Tls, s.ClientCertificate));
        Assert.Equal("[2001:db8::1]:465", s.Endpoint);
    }

    private static void Validate(UmServer server) => ConfigurationValidator.ValidateUmServer(server, ConfigurationSnapshot.Empty);
}
