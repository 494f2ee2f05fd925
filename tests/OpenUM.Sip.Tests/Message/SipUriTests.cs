using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Message;

public class SipUriTests
{
    [Fact]
    public void SipUri_AllParts()
    {
        var uri = SipUri.Parse("SIP:alice%20b:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent");
        Assert.Equal("sip", uri.Scheme);
        Assert.Equal("alice b", uri.User);
        Assert.Equal("secret", uri.Password);
        Assert.Equal("atlanta.example.com", uri.Host);
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tcp", uri.GetParameter("TRANSPORT"));
        Assert.True(uri.HasParameter("lr"));
        Assert.Null(uri.GetParameter("lr"));
        Assert.Equal("239.255.255.1", uri.GetParameter("maddr"));
        Assert.Equal([new("subject", "project%20x"), new("priority", "urgent")], uri.Headers);
        Assert.Equal("sip:alice%20b:secret@atlanta.example.com:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent", uri.ToString());
    }

    [Theory]
    [InlineData("sip:[2001:db8::1]", "[2001:db8::1]", null)]
    [InlineData("sips:bob@[2001:db8::1]:5061", "[2001:db8::1]", 5061)]
    [InlineData("sip:bob@[::ffff:192.0.2.1]:5060;transport=tls", "[::ffff:192.0.2.1]", 5060)]
    [InlineData("sip:192.0.2.1:5070", "192.0.2.1", 5070)]
    [InlineData("sip:example.com.", "example.com.", null)]
    public void Hosts(string text, string host, int? port)
    {
        Assert.True(SipUri.TryParse(text, out var uri));
        Assert.Equal(host, uri!.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal(text.ToLowerInvariant() == text ? text : uri.ToString(), uri.ToString());
    }

    [Theory]
    [InlineData("tel:+1-201-555-0123", "+1-201-555-0123")]
    [InlineData("tel:7042;phone-context=example.com", "7042")]
    [InlineData("tel:+358-555-1234567;postd=pp22", "+358-555-1234567")]
    [InlineData("tel:*21#;phone-context=+1-555", "*21#")]
    public void TelUris(string text, string number)
    {
        Assert.True(SipUri.TryParse(text, out var uri));
        Assert.Equal("tel", uri!.Scheme);
        Assert.Equal(number, uri.User);
        Assert.Equal("", uri.Host);
        Assert.Equal(text, uri.ToString());
    }

    [Fact]
    public void TelParameters()
    {
        var uri = SipUri.Parse("tel:+1-201-555-0123;ext=1234;isub=5");
        Assert.Equal("1234", uri.GetParameter("ext"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sip:")]
    [InlineData("sip:bob@")]
    [InlineData("sip:@example.com")]
    [InlineData("sip:bob@exa mple.com")]
    [InlineData("sip:bob@example.com:99999")]
    [InlineData("sip:bob@example.com:")]
    [InlineData("sip:bob@[2001:db8::1")]
    [InlineData("sip:bob@[example.com]")]
    [InlineData("sip:bob@-example.com")]
    [InlineData("sip:bob@example..com")]
    [InlineData("sip:b%zzob@example.com")]
    [InlineData("sip:bob@example.com;=x")]
    [InlineData("sip:bob@example.com;x=")]
    [InlineData("sip:bob@example.com?x")]
    [InlineData("sip:bob@example.com;a b")]
    [InlineData("tel:")]
    [InlineData("tel:+")]
    [InlineData("tel:12+34")]
    [InlineData("tel:+1x")]
    [InlineData("http://example.com")]
    [InlineData("mailto:bob@example.com")]
    [InlineData("1sip:bob@example.com")]
    public void Rejects(string text)
    {
        Assert.False(SipUri.TryParse(text, out var uri));
        Assert.Null(uri);
        Assert.Throws<FormatException>(() => SipUri.Parse(text));
    }

    [Fact]
    public void UserEscaping_RoundTrips()
    {
        var uri = SipUri.Create("sip", "a@b c%;", "example.com", 5060, [new("transport", "tcp")]);
        Assert.Equal("sip:a%40b%20c%25;@example.com:5060;transport=tcp", uri.ToString());
        Assert.Equal("a@b c%;", SipUri.Parse(uri.ToString()).User);
        Assert.Equal("ü", SipUri.Parse("sip:%C3%BC@example.com").User);
        Assert.Equal("sip:%C3%BC@example.com", SipUri.Parse("sip:%c3%bc@example.com").ToString());
    }
}
