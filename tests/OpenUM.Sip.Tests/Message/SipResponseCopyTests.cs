using System.Buffers;
using System.Net;
using System.Text;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

// A response echoes its request's Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2) by pointing into the request's
// bytes when it owns them: what goes on the wire must be what the values read as strings would write.
public class SipResponseCopyTests
{
    private const string Head =
        "INVITE sip:5000@um.example.com SIP/2.0\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport\n" +
        "Via: SIP/2.0/TCP 192.0.2.1:5060\n ;branch=z9hG4bKnashds8\n" +
        "Max-Forwards: 70\n" +
        "From: \"Ålice Smïth\"\n\t<sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\n" +
        "To:   <sip:5000@um.example.com>   \n" +
        "i: 3848276298220188511@gw.example.com\n" +
        "CSeq: 101 INVITE\n" +
        "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n" +
        "Contact: <sip:+14155550100@192.0.2.10:5060;transport=tcp>\n";

    private const string Expected =
        "SIP/2.0 200 OK\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport=40000;received=198.51.100.7\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.1:5060 ;branch=z9hG4bKnashds8\r\n" +
        "From: \"Ålice Smïth\" <sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\r\n" +
        "To: <sip:5000@um.example.com>\r\n" +
        "Call-ID: 3848276298220188511@gw.example.com\r\n" +
        "CSeq: 101 INVITE\r\n" +
        "Content-Length: 0\r\n\r\n";

    [Fact]
    public void A_response_to_an_owned_request_writes_its_values_unfolded_and_trimmed_with_the_stamped_via()
    {
        var request = ParseOk(Build(Head));
        request.Headers.StampTopVia(IPAddress.Parse("198.51.100.7"), 40000);

        var response = SipMessage.CreateResponse(request, 200);

        Assert.Equal(Expected, Encoding.UTF8.GetString(response.ToArray()));
        Assert.Equal(Expected, response.ToString());
        Assert.Equal("3848276298220188511@gw.example.com", response.Headers.Get("Call-ID"));
    }

    [Fact]
    public void A_response_to_a_lent_request_keeps_nothing_of_the_bytes_that_go_back_to_the_pool()
    {
        var bytes = Build(Head);
        Assert.Equal(SipParseResult.Complete, SipParser.TryParsePooled(new ReadOnlySequence<byte>(bytes), Limits, out var lent, out _, out _, out _));
        lent!.Headers.StampTopVia(IPAddress.Parse("198.51.100.7"), 40000);
        var response = SipMessage.CreateResponse(lent, 200);
        SipMessage.Return(lent);

        // The next message parsed on this thread reuses the pooled message, and likely its array.
        var other = Build(Head.Replace("9fxced76sl", "XXXXXXXXXX").Replace("3848276298220188511", "9999999999999999999"));
        Assert.Equal(SipParseResult.Complete, SipParser.TryParsePooled(new ReadOnlySequence<byte>(other), Limits, out var next, out _, out _, out _));
        try
        {
            Assert.Equal(Expected, Encoding.UTF8.GetString(response.ToArray()));
        }
        finally
        {
            SipMessage.Return(next);
        }
    }

    [Fact]
    public void A_copied_line_changed_on_the_response_is_written_as_changed()
    {
        var request = ParseOk(Build(Head));
        var response = SipMessage.CreateResponse(request, 180);
        response.Headers.Set("To", "<sip:5000@um.example.com>;tag=abc");
        response.Headers.Remove("Via");

        var text = response.ToString();

        Assert.Contains("\r\nTo: <sip:5000@um.example.com>;tag=abc\r\n", text);
        Assert.DoesNotContain("Via:", text);
        Assert.Contains("\r\nCSeq: 101 INVITE\r\n", text);
        Assert.Equal("3848276298220188511@gw.example.com", request.CallId);
    }

    // The in-place stamp must write what the parsed Via's WithReceived would (RFC 3261 §18.2.1, RFC 3581 §4).
    [Theory]
    [InlineData("SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport", "192.0.2.7", 40001)]
    [InlineData("SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport", "192.0.2.7", null)]
    [InlineData("SIP / 2.0 / tcp  pc33.atlanta.example.com : 05066 ;branch=z9hG4bK776 ;received=192.0.2.1;rport=5067;ttl=16;x-ext", "192.0.2.9", 7)]
    [InlineData("SIP/2.0/udp host.example.com;received=192.0.2.1;branch=z9hG4bK1;received=192.0.2.2;RPORT;rport", "2001:db8::9:255", 65535)]
    [InlineData("SIP/2.0/SCTP [2001:db8::9:1];branch=z9hG4bKas3;x=\"a;b, c\";maddr=224.2.0.1", "2001:db8::1", 5060)]
    [InlineData("SIP/2.0/Tls h;branch=z9hG4bKx", "203.0.113.200", null)]
    [InlineData("SIP/2.0/TCP host.example.com;rport=x", "192.0.2.7", 1)]
    [InlineData("SIP/2.0/TCP", "192.0.2.7", 1)]
    public void The_in_place_stamp_writes_what_the_parsed_via_would(string via, string received, int? rport)
    {
        var address = IPAddress.Parse(received);
        Assert.Equal(SipVia.StampParsed(via, address, rport), SipVia.Stamp(via, address, rport));
    }

    [Fact]
    public void A_long_via_is_stamped_as_the_parsed_one_would_be()
    {
        var rports = string.Concat(Enumerable.Repeat(";rport", 60));
        var via = "SIP/2.0/TCP host.example.com;branch=z9hG4bK1" + rports;
        var address = IPAddress.Parse("192.0.2.7");

        var stamped = SipVia.Stamp(via, address, 65535);

        Assert.Equal(SipVia.StampParsed(via, address, 65535), stamped);
        Assert.Contains(";rport=65535;rport=65535", stamped);
    }
}
