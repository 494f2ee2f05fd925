using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

public class SipMessageTests
{
    [Fact]
    public void Headers_AreOrderedCaseInsensitiveAndCanonical()
    {
        var h = new SipHeaders();
        h.Add("v", "SIP/2.0/TCP a.example.com;branch=z9hG4bK1");
        h.Add("x-custom", "1");
        h.Add("VIA", "SIP/2.0/TCP b.example.com;branch=z9hG4bK2, SIP/2.0/TCP c.example.com;branch=z9hG4bK3");
        h.Add("call-id", "abc");
        Assert.Equal(["Via", "x-custom", "Via", "Call-ID"], h.Select(x => x.Name));
        Assert.Equal("SIP/2.0/TCP a.example.com;branch=z9hG4bK1", h.Get("via"));
        Assert.Equal(2, h.GetAll("Via").Count());
        Assert.Equal(3, h.SplitValues("v").Count);
        Assert.True(h.Contains("X-CUSTOM"));

        h.Set("Via", "SIP/2.0/UDP z.example.com;branch=z9hG4bK9");
        Assert.Equal(["Via", "x-custom", "Call-ID"], h.Select(x => x.Name));
        Assert.True(h.Remove("i"));
        Assert.False(h.Remove("Call-ID"));
        Assert.Equal(2, h.Count);
        Assert.Empty(h.SplitValues("Route"));
    }

    [Theory]
    [InlineData("Bad Name", "x")]
    [InlineData("Subject", "a\r\nVia: injected")]
    [InlineData("Subject", "nul\0")]
    public void Headers_RefuseInjection(string name, string value) =>
        Assert.Throws<ArgumentException>(() => new SipHeaders().Add(name, value));

    [Fact]
    public void WriteTo_ComputesContentLength_ReplacingStaleOnes()
    {
        var m = SipMessage.CreateRequest("INFO", SipUri.Parse("sip:um@example.com"));
        m.Headers.Add("Content-Length", "999");
        m.Headers.Add("Content-Type", "application/dtmf-relay");
        m.Headers.Add("l", "5");
        m.Body = "Signal=5\r\n"u8.ToArray();
        Assert.Equal("INFO sip:um@example.com SIP/2.0\r\nContent-Length: 10\r\nContent-Type: application/dtmf-relay\r\n\r\nSignal=5\r\n", m.ToString());

        var empty = SipMessage.CreateRequest("OPTIONS", SipUri.Parse("sip:um@example.com"));
        var writer = new ArrayBufferWriter<byte>();
        empty.WriteTo(writer);
        Assert.Equal("OPTIONS sip:um@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n", Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void CreateResponse_CopiesDialogHeadersOnly()
    {
        var request = ParseOk(DivertedInvite());
        var response = SipMessage.CreateResponse(request, 180);
        Assert.Equal("Ringing", response.ReasonPhrase);
        Assert.Equal(["Via", "Via", "From", "To", "Call-ID", "CSeq"], response.Headers.Select(h => h.Name));
        Assert.Equal(request.Headers.GetAll("Via"), response.Headers.GetAll("Via"));
        Assert.Null(response.To!.Tag);
        Assert.Equal(request.From!.Tag, response.From!.Tag);
        Assert.Equal(new SipCSeq(101, "INVITE"), response.CSeq);
        Assert.Equal(2, response.Vias.Count);

        var reparsed = ParseOk(response.ToArray());
        AssertEquivalent(response, reparsed);
        Assert.Equal("SIP/2.0 486 Busy", SipMessage.CreateResponse(request, 486, "Busy").ToString()[..16]);
    }

    [Fact]
    public void TypedViews_FollowHeaderChanges()
    {
        var m = ParseOk(SimpleInvite());
        Assert.Null(m.To!.Tag);
        m.Headers.Set("To", m.To.WithTag("t1").ToString());
        Assert.Equal("t1", m.To!.Tag);
        m.Headers.Remove("Via");
        Assert.Empty(m.Vias);
        m.Headers.Set("CSeq", "garbage");
        Assert.Null(m.CSeq);
        m.Headers.Set("Content-Type", "Application/SDP ; charset=utf-8");
        Assert.Equal("application/sdp", m.ContentType);
        m.Headers.Set("Contact", "*");
        Assert.Null(m.Contact);
    }

    [Fact]
    public void Request_WithoutUri_CannotBeWritten()
    {
        ParseStream(Build(SimpleInviteHead.Replace("sip:bob@example.com SIP", "mailto:bob@example.com SIP", StringComparison.Ordinal)),
            out _, out var r, out _);
        Assert.Throws<InvalidOperationException>(() => r!.Partial!.ToArray());
        Assert.StartsWith("INVITE <invalid> SIP/2.0", r!.Partial!.ToString(), StringComparison.Ordinal);
    }
}
