using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Message;

public class SipViaTests
{
    [Fact]
    public void ParsesAllParts()
    {
        Assert.True(SipVia.TryParse("SIP / 2.0 / tcp  pc33.atlanta.example.com : 5066 ;branch=z9hG4bK776asdhds ;received=192.0.2.1;rport=5067;ttl=16;maddr=224.2.0.1;x-ext", out var via));
        Assert.Equal("TCP", via!.Transport);
        Assert.Equal("pc33.atlanta.example.com", via.Host);
        Assert.Equal(5066, via.Port);
        Assert.Equal("z9hG4bK776asdhds", via.Branch);
        Assert.Equal("192.0.2.1", via.Received);
        Assert.True(via.HasRPort);
        Assert.Equal(5067, via.RPort);
        Assert.Equal(6, via.Parameters.Count);
        Assert.Equal("SIP/2.0/TCP pc33.atlanta.example.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5067;ttl=16;maddr=224.2.0.1;x-ext", via.ToString());
    }

    [Fact]
    public void Ipv6SentByAndReceived()
    {
        Assert.True(SipVia.TryParse("SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3;received=2001:db8::9:255", out var via));
        Assert.Equal("[2001:db8::9:1]", via!.Host);
        Assert.Equal(5060, via.Port);
        Assert.Equal("2001:db8::9:255", via.Received);
    }

    [Fact]
    public void WithReceived_SetsRPortOnlyWhenRequested()
    {
        var asked = new SipVia("tcp", "client.example.com", null, "z9hG4bK1").WithParameter("rport", null);
        Assert.Equal("SIP/2.0/TCP client.example.com;branch=z9hG4bK1;rport", asked.ToString());
        var answered = asked.WithReceived("192.0.2.7", 40001);
        Assert.Equal("SIP/2.0/TCP client.example.com;branch=z9hG4bK1;rport=40001;received=192.0.2.7", answered.ToString());
        Assert.Equal(40001, answered.RPort);

        var notAsked = new SipVia("UDP", "client.example.com", 5060, "z9hG4bK2").WithReceived("192.0.2.7", 40001);
        Assert.False(notAsked.HasRPort);
        Assert.Equal("192.0.2.7", notAsked.Received);
        Assert.Equal("192.0.2.8", notAsked.WithReceived("192.0.2.8", null).Received);
        Assert.Single(notAsked.WithReceived("192.0.2.8", null).Parameters, p => p.Key == "received");
    }

    [Theory]
    [InlineData("SIP/2.0/TCP")]
    [InlineData("SIP/2.0/TCP ")]
    [InlineData("SIP/2.0/TCPhost.example.com")]
    [InlineData("SIP/3.0/TCP host.example.com")]
    [InlineData("HTTP/2.0/TCP host.example.com")]
    [InlineData("SIP/2.0 host.example.com")]
    [InlineData("SIP/2.0/TCP host.example.com:")]
    [InlineData("SIP/2.0/TCP host.example.com:70000")]
    [InlineData("SIP/2.0/TCP host.example.com;branch")]
    [InlineData("SIP/2.0/TCP host.example.com;branch=")]
    [InlineData("SIP/2.0/TCP host.example.com;received=example.com")]
    [InlineData("SIP/2.0/TCP host.example.com;rport=x")]
    [InlineData("SIP/2.0/TCP host.example.com;ttl=300")]
    [InlineData("SIP/2.0/TCP [::1;branch=z9hG4bK1")]
    [InlineData("SIP/2.0/TCP host.example.com junk")]
    public void Rejects(string text) => Assert.False(SipVia.TryParse(text, out _));
}
