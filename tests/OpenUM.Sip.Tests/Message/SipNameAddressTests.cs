using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Message;

public class SipNameAddressTests
{
    [Theory]
    [InlineData("\"Bob \\\"the\\\" Builder, Jr\" <sip:bob@example.com>;tag=a48s", "Bob \"the\" Builder, Jr", "a48s")]
    [InlineData("\"\\\\back\\\\slash\" <sip:bob@example.com>", "\\back\\slash", null)]
    [InlineData("Bob   Smith <sip:bob@example.com> ; tag = 1928301774", "Bob Smith", "1928301774")]
    [InlineData("<sip:bob@example.com;transport=tcp>;tag=x", null, "x")]
    [InlineData("sip:bob@example.com;tag=y", null, "y")]
    [InlineData("\"\" <sip:bob@example.com>", "", null)]
    [InlineData("<tel:+14155550100>;tag=t", null, "t")]
    public void Parses(string text, string? display, string? tag)
    {
        Assert.True(SipNameAddress.TryParse(text, out var a));
        Assert.Equal(display, a!.DisplayName);
        Assert.Equal(tag, a.Tag);
        Assert.True(SipNameAddress.TryParse(a.ToString(), out var again));
        Assert.Equal(a.ToString(), again!.ToString());
        Assert.Equal(display, again.DisplayName);
    }

    [Fact]
    public void AddrSpec_UriParametersBecomeHeaderParameters()
    {
        // RFC 3261 §20.10: without angle brackets, ;params belong to the header, not the URI.
        Assert.True(SipNameAddress.TryParse("sip:bob@example.com;transport=tcp", out var a));
        Assert.Empty(a!.Uri.Parameters);
        Assert.Equal("tcp", a.GetParameter("transport"));
    }

    [Fact]
    public void QuotedParameterValues_AreKept()
    {
        Assert.True(SipNameAddress.TryParse("<sip:a@b.example.com>;+sip.instance=\"<urn:uuid:f81d4fae>\";expires=60", out var a));
        Assert.Equal("\"<urn:uuid:f81d4fae>\"", a!.GetParameter("+sip.instance"));
        Assert.Equal("<sip:a@b.example.com>;+sip.instance=\"<urn:uuid:f81d4fae>\";expires=60", a.ToString());
    }

    [Fact]
    public void WithTag_ReplacesTag()
    {
        Assert.True(SipNameAddress.TryParse("Bob <sip:bob@example.com>;tag=old;x=1", out var a));
        var tagged = a!.WithTag("new");
        Assert.Equal("\"Bob\" <sip:bob@example.com>;x=1;tag=new", tagged.ToString());
        Assert.Equal("old", a.Tag);
        var fresh = new SipNameAddress(SipUri.Parse("sip:um@example.com"), "Voice Mail").WithTag("abc");
        Assert.Equal("\"Voice Mail\" <sip:um@example.com>;tag=abc", fresh.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<sip:bob@example.com")]
    [InlineData("\"unterminated <sip:bob@example.com>")]
    [InlineData("\"a\" sip:bob@example.com")]
    [InlineData("Bob \"x\" <sip:bob@example.com>")]
    [InlineData("<sip:bob@example.com>;")]
    [InlineData("<sip:bob@example.com>;tag=\"x")]
    [InlineData("<sip:bob@example.com> junk")]
    [InlineData("<http://example.com>")]
    [InlineData("sip:bob@example.com?subject=x")]
    public void Rejects(string text) => Assert.False(SipNameAddress.TryParse(text, out _));
}
