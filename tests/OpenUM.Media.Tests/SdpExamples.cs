namespace OpenUM.Media.Tests;

// SDP documents used by the tests. Sources are given per example; lines are joined with CRLF.
internal static class SdpExamples
{
    public static string Crlf(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    // RFC 4566 §5, the example session description.
    public static readonly string Rfc4566Example = Crlf(
        "v=0",
        "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5",
        "s=SDP Seminar",
        "i=A Seminar on the session description protocol",
        "u=http://www.example.com/seminars/sdp.pdf",
        "e=j.doe@example.com (Jane Doe)",
        "c=IN IP4 224.2.17.12/127",
        "t=2873397496 2873404696",
        "a=recvonly",
        "m=audio 49170 RTP/AVP 0",
        "m=video 51372 RTP/AVP 99",
        "a=rtpmap:99 h263-1998/90000");

    // RFC 4317 §2.1, "Audio and Video 1": offer (Alice).
    public static readonly string Rfc4317AudioVideoOffer = Crlf(
        "v=0",
        "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com",
        "s=",
        "c=IN IP4 host.atlanta.example.com",
        "t=0 0",
        "m=audio 49170 RTP/AVP 0 8 97",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:97 iLBC/8000",
        "m=video 51372 RTP/AVP 31 32",
        "a=rtpmap:31 H261/90000",
        "a=rtpmap:32 MPV/90000");

    // RFC 4317 §2.1: answer (Bob).
    public static readonly string Rfc4317AudioVideoAnswer = Crlf(
        "v=0",
        "o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com",
        "s=",
        "c=IN IP4 host.biloxi.example.com",
        "t=0 0",
        "m=audio 49174 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
        "m=video 49170 RTP/AVP 32",
        "a=rtpmap:32 MPV/90000");

    // The RFC 4317 §2.1 offer with literal addresses (our answerer does not resolve host names), and the
    // RFC 4733 telephone-event lines seen from real gateways ([RW] in the project's SDP example list).
    public static readonly string GatewayOfferWithVideo = Crlf(
        "v=0",
        "o=alice 2890844526 2890844526 IN IP4 192.0.2.10",
        "s=-",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        "m=audio 49170 RTP/AVP 0 8 97 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:97 iLBC/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=ptime:30",
        "m=video 51372 RTP/AVP 31 32",
        "a=rtpmap:31 H261/90000",
        "a=rtpmap:32 MPV/90000");

    // RFC 4568 SDES offer: RTP/SAVP only, with the RFC 4568 example key (as reproduced in sipsorcery's tests).
    public static readonly string SrtpOnlyOffer = Crlf(
        "v=0",
        "o=gw 1 1 IN IP4 192.0.2.20",
        "s=-",
        "c=IN IP4 192.0.2.20",
        "t=0 0",
        "m=audio 40000 RTP/SAVP 0 8 101",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=sendrecv");
}
