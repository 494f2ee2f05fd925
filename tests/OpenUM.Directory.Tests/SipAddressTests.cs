using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

/// <summary>How SipName dial plans compare SIP URIs, and the lookup by address.</summary>
public sealed class SipAddressTests
{
    [Theory]
    [InlineData("sip:alice@example.com", "alice@example.com")]
    [InlineData("sips:alice@Example.COM", "alice@example.com")]
    [InlineData("SIP:alice@example.com:5061;transport=tls", "alice@example.com")]
    [InlineData("sip:alice@[2001:db8::1]:5060", "alice@[2001:db8::1]")]
    [InlineData("sip:Alice@example.com?subject=x", "Alice@example.com")] // the user part is case-sensitive
    [InlineData("tel:+15551234", null)]
    [InlineData("sip:example.com", null)]
    [InlineData("sip:alice@", null)]
    [InlineData(null, null)]
    public void AddressOf(string? uri, string? address) => Assert.Equal(address, Mailbox.SipAddressOf(uri));

    private static readonly DialPlan Plan = DialPlan() with { UriType = UmUriType.SipName };

    [Fact]
    public void TheSnapshotFindsAMailboxByAddressInItsPlanOnly()
    {
        var alice = Mailbox() with { SipUri = "sip:alice@example.com" };
        var config = new ConfigurationSnapshot(1, [Plan, DialPlan("Other")], [], [], [], [alice]);
        Assert.Same(alice, config.FindMailboxBySipUri("main", "sips:alice@EXAMPLE.com;transport=tls"));
        Assert.Null(config.FindMailboxBySipUri("Other", "sip:alice@example.com"));
        Assert.Null(config.FindMailboxBySipUri("Main", "sip:alice2@example.com"));
    }

    [Fact]
    public void TwoMailboxesOfAPlanCannotShareAnAddress()
    {
        using var temp = new TempStore();
        temp.Store.AddDialPlan(Plan);
        temp.Store.AddMailbox(Mailbox() with { SipUri = "sip:alice@example.com" });
        var error = Assert.Throws<ConfigurationValidationException>(() =>
            temp.Store.AddMailbox(Mailbox("5678", "bob@example.com") with { SipUri = "sips:alice@EXAMPLE.com" }));
        Assert.Equal("sip-uri", error.Field);
        Assert.Contains("mailbox 1234", error.Message);
    }
}
