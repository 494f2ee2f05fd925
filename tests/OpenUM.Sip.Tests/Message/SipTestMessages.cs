using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Message;

// Fixture messages written in the style of RFC 3261 §24 / RFC 4475 examples, plus helpers shared by the
// message-layer tests.
internal static class SipTestMessages
{
    public const string Sdp =
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

    // A diverted call from a gateway to the UM pilot, as OpenUM receives it (canonical header layout so that
    // serialization reproduces it byte for byte).
    public const string DivertedInviteHead =
        "INVITE sip:5000@um.example.com:5060;transport=tcp SIP/2.0\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport\n" +
        "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKnashds8;received=192.0.2.1\n" +
        "Max-Forwards: 69\n" +
        "From: \"Alice \\\"A\\\" Smith, Sales\" <sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\n" +
        "To: <sip:5000@um.example.com>\n" +
        "Call-ID: 3848276298220188511@gw.example.com\n" +
        "CSeq: 101 INVITE\n" +
        "Contact: <sip:+14155550100@192.0.2.10:5060;transport=tcp>\n" +
        "Diversion: <sip:2001@pbx.example.com>;reason=no-answer;counter=1;privacy=off\n" +
        "History-Info: <sip:2001@pbx.example.com?Reason=SIP%3Bcause%3D302>;index=1, <sip:5000@um.example.com>;index=1.1\n" +
        "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO\n" +
        "Supported: timer, replaces\n" +
        "User-Agent: ExampleGateway/15.1\n" +
        "Content-Type: application/sdp\n";

    public const string SimpleInviteHead =
        "INVITE sip:bob@example.com SIP/2.0\n" +
        "Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9\n" +
        "Max-Forwards: 70\n" +
        "From: Alice <sip:alice@example.com>;tag=9fxced76sl\n" +
        "To: Bob <sip:bob@example.com>\n" +
        "Call-ID: 3848276298220188511@example.com\n" +
        "CSeq: 1 INVITE\n" +
        "Contact: <sip:alice@client.example.com;transport=tcp>\n";

    public const string OkResponseHead =
        "SIP/2.0 200 OK\n" +
        "Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.4\n" +
        "From: Alice <sip:alice@example.com>;tag=9fxced76sl\n" +
        "To: Bob <sip:bob@example.com>;tag=8321234356\n" +
        "Call-ID: 3848276298220188511@example.com\n" +
        "CSeq: 1 INVITE\n" +
        "Contact: <sip:bob@192.0.2.4>\n" +
        "Content-Type: application/sdp\n";

    public const string OptionsHead =
        "OPTIONS sip:um.example.com SIP/2.0\n" +
        "v: SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bKopt1;rport\n" +
        "Max-Forwards: 0\n" +
        "f: <tel:+1-415-555-0100;phone-context=example.com>;tag=abc\n" +
        "t: <sip:um.example.com>\n" +
        "i: opt-1@[2001:db8::10]\n" +
        "CSeq: 7 OPTIONS\n" +
        "Accept: application/sdp\n";

    /// <summary>Head lines separated by \n become CRLF; a Content-Length for the body and the blank line are appended.</summary>
    public static byte[] Build(string head, string body = "", bool contentLength = true)
    {
        var text = head.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        if (contentLength) text += $"Content-Length: {bodyBytes.Length}\r\n";
        text += "\r\n";
        return [.. Encoding.UTF8.GetBytes(text), .. bodyBytes];
    }

    public static byte[] DivertedInvite() => Build(DivertedInviteHead, Sdp);
    public static byte[] SimpleInvite() => Build(SimpleInviteHead);
    public static byte[] OkResponse() => Build(OkResponseHead, Sdp);
    public static byte[] Options() => Build(OptionsHead);

    public static byte[][] All() => [DivertedInvite(), SimpleInvite(), OkResponse(), Options()];

    public static SipParserLimits Limits => new();

    public static SipParseResult ParseStream(byte[] bytes, out SipMessage? message, out SipRejection? rejection,
        out long consumed, SipParserLimits? limits = null)
    {
        var seq = new ReadOnlySequence<byte>(bytes);
        var result = SipParser.TryParse(seq, limits ?? Limits, out message, out rejection, out var c, out _);
        consumed = seq.Slice(0, c).Length;
        return result;
    }

    public static SipMessage ParseOk(byte[] bytes)
    {
        var result = ParseStream(bytes, out var message, out var rejection, out _);
        Assert.True(result == SipParseResult.Complete, $"{result}: {rejection?.ReasonPhrase}");
        return message!;
    }

    /// <summary>Two segments: [0, split) and [split, end).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split));
        var last = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Segments of <paramref name="size"/> bytes each.</summary>
    public static ReadOnlySequence<byte> Chunks(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)));
        var last = first;
        for (var at = size; at < bytes.Length; at += size) last = last.Append(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static void AssertEquivalent(SipMessage expected, SipMessage actual)
    {
        Assert.Equal(expected.IsRequest, actual.IsRequest);
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.RequestUri?.ToString(), actual.RequestUri?.ToString());
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(expected.ReasonPhrase, actual.ReasonPhrase);
        Assert.Equal(WithoutLength(expected), WithoutLength(actual));
        Assert.Equal(expected.Body.ToArray(), actual.Body.ToArray());
    }

    private static List<SipHeader> WithoutLength(SipMessage m) =>
        m.Headers.Where(h => h.Name != "Content-Length").ToList();

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
