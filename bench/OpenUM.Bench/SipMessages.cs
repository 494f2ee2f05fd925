using System.Text;

namespace OpenUM.Bench;

// A typical diverted-call INVITE as a gateway sends it to the UM server (~900 bytes with SDP).
internal static class SipMessages
{
    private const string Sdp =
        "v=0\r\n" +
        "o=gw 2890844526 2890844526 IN IP4 192.0.2.10\r\n" +
        "s=-\r\n" +
        "c=IN IP4 192.0.2.10\r\n" +
        "t=0 0\r\n" +
        "m=audio 49170 RTP/AVP 0 8 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-15\r\n" +
        "a=ptime:20\r\n" +
        "a=sendrecv\r\n";

    private const string Head =
        "INVITE sip:5000@um.example.com:5060;transport=tcp SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport\r\n" +
        "Max-Forwards: 69\r\n" +
        "From: \"Alice Smith\" <sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\r\n" +
        "To: <sip:5000@um.example.com>\r\n" +
        "Call-ID: 3848276298220188511@gw.example.com\r\n" +
        "CSeq: 101 INVITE\r\n" +
        "Contact: <sip:+14155550100@192.0.2.10:5060;transport=tcp>\r\n" +
        "Diversion: <sip:2001@pbx.example.com>;reason=no-answer;counter=1;privacy=off\r\n" +
        "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE\r\n" +
        "Supported: timer, replaces\r\n" +
        "Session-Expires: 1800\r\n" +
        "User-Agent: ExampleGateway/15.1\r\n" +
        "Content-Type: application/sdp\r\n";

    public static byte[] Invite() =>
        Encoding.ASCII.GetBytes(Head + $"Content-Length: {Sdp.Length}\r\n\r\n" + Sdp);
}
