using System.Text;

namespace OpenUM.Bench;

// A typical diverted-call INVITE as a gateway sends it to the UM server (~900 bytes with SDP), and the ACK of
// our 200 OK and the caller's BYE as the same gateway sends them in that call's dialog.
internal static class SipMessages
{
    /// <summary>Our To tag in the 200 OK: the dialog's local tag.</summary>
    public const string LocalTag = "um5c1e0a7b";

    /// <summary>Where the requests come from: the gateway of the Via header, over TCP.</summary>
    public const string GatewayAddress = "192.0.2.10";

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

    // In-dialog requests go to the Contact of our 200 OK (RFC 3261 §12.2.1.1) with a new branch, our tag in To,
    // and the INVITE's CSeq number (ACK of a 2xx, §13.2.2.4) or the next one (BYE).
    private const string Ack =
        "ACK sip:5000@192.0.2.1:5060;transport=tcp SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.2;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: \"Alice Smith\" <sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\r\n" +
        "To: <sip:5000@um.example.com>;tag=" + LocalTag + "\r\n" +
        "Call-ID: 3848276298220188511@gw.example.com\r\n" +
        "CSeq: 101 ACK\r\n" +
        "Contact: <sip:+14155550100@192.0.2.10:5060;transport=tcp>\r\n" +
        "User-Agent: ExampleGateway/15.1\r\n" +
        "Content-Length: 0\r\n\r\n";

    private const string Bye =
        "BYE sip:5000@192.0.2.1:5060;transport=tcp SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.3;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "From: \"Alice Smith\" <sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\r\n" +
        "To: <sip:5000@um.example.com>;tag=" + LocalTag + "\r\n" +
        "Call-ID: 3848276298220188511@gw.example.com\r\n" +
        "CSeq: 102 BYE\r\n" +
        "Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n" +
        "User-Agent: ExampleGateway/15.1\r\n" +
        "Content-Length: 0\r\n\r\n";

    public static byte[] Invite() =>
        Encoding.ASCII.GetBytes(Head + $"Content-Length: {Sdp.Length}\r\n\r\n" + Sdp);

    public static byte[] AckFor2xx(string localTag = LocalTag) => Encoding.ASCII.GetBytes(Ack.Replace(LocalTag, localTag));

    public static byte[] ByeInDialog(string localTag = LocalTag) => Encoding.ASCII.GetBytes(Bye.Replace(LocalTag, localTag));
}
