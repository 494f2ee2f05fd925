namespace OpenUM.Directory.Tests;

public class RulesTests
{
    [Theory]
    [InlineData("192.0.2.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:192.0.2.1", true)]
    [InlineData("256.0.0.1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("01.2.3.4", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("[::1]", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("pbx.example.com", false)]
    [InlineData("", false)]
    public void IPAddressLiteral(string value, bool expected) => Assert.Equal(expected, ConfigurationRules.IsIPAddressLiteral(value));

    [Theory]
    [InlineData("pbx.example.com", true)]
    [InlineData("localhost", true)]
    [InlineData("a-b.c0m", true)]
    [InlineData("1pbx.example.com", true)]
    [InlineData("pbx.example.com.", false)]
    [InlineData("pbx..example.com", false)]
    [InlineData("pbx-.example.com", false)]
    [InlineData("pb x.example.com", false)]
    [InlineData("1.2.3.4", false)]
    [InlineData("ex\u00e4mple.com", false)]
    public void HostName(string value, bool expected) => Assert.Equal(expected, ConfigurationRules.IsHostName(value));

    [Fact]
    public void HostNameLabelAndTotalLengthLimits()
    {
        Assert.True(ConfigurationRules.IsHostName(new string('a', 63) + ".com"));
        Assert.False(ConfigurationRules.IsHostName(new string('a', 64) + ".com"));
        Assert.False(ConfigurationRules.IsHostName(string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".com"));
    }

    [Theory]
    [InlineData("alice@example.com", true)]
    [InlineData("alice.smith+vm@example.com", true)]
    [InlineData("a@localhost", true)]
    [InlineData("alice@", false)]
    [InlineData("@example.com", false)]
    [InlineData(".alice@example.com", false)]
    [InlineData("alice.@example.com", false)]
    [InlineData("a b@example.com", false)]
    [InlineData("a/b@example.com", false)]
    [InlineData("a\\b@example.com", false)]
    [InlineData("\"quoted\"@example.com", false)]
    [InlineData("alice@exa_mple.com", false)]
    [InlineData("alice@192.0.2.1", false)]
    public void EmailAddress(string value, bool expected) => Assert.Equal(expected, ConfigurationRules.IsEmailAddress(value));
}
