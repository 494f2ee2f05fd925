using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

public class SipParserRejectionTests
{
    private static string Replace(string line, string with) =>
        SimpleInviteHead.Replace(line + "\n", with.Length == 0 ? "" : with + "\n", StringComparison.Ordinal);

    private static string Without(string line) => Replace(line, "");

    private const string ViaLine = "Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK74bf9";
    private const string FromLine = "From: Alice <sip:alice@example.com>;tag=9fxced76sl";
    private const string ToLine = "To: Bob <sip:bob@example.com>";
    private const string CallIdLine = "Call-ID: 3848276298220188511@example.com";
    private const string CSeqLine = "CSeq: 1 INVITE";
    private const string MaxForwardsLine = "Max-Forwards: 70";
    private const string ContactLine = "Contact: <sip:alice@client.example.com;transport=tcp>";
    private const string StartLine = "INVITE sip:bob@example.com SIP/2.0";

    // name, head (\n lines, Content-Length appended unless the case says otherwise), status, phrase, reason
    public static TheoryData<string, string, int, string, SipRejectReason> Cases() => new()
    {
        { "missing Via", Without(ViaLine), 400, "Missing Header: Via", SipRejectReason.MissingHeader },
        { "missing From", Without(FromLine), 400, "Missing Header: From", SipRejectReason.MissingHeader },
        { "missing To", Without(ToLine), 400, "Missing Header: To", SipRejectReason.MissingHeader },
        { "missing Call-ID", Without(CallIdLine), 400, "Missing Header: Call-ID", SipRejectReason.MissingHeader },
        { "missing CSeq", Without(CSeqLine), 400, "Missing Header: CSeq", SipRejectReason.MissingHeader },
        { "bad Via", Replace(ViaLine, "Via: SIP/2.0/TCP"), 400, "Bad Header: Via", SipRejectReason.MalformedHeader },
        { "bad Via version", Replace(ViaLine, "Via: SIP/3.0/TCP a.example.com;branch=z9hG4bK1"), 400, "Bad Header: Via", SipRejectReason.MalformedHeader },
        { "bad Via in list", SimpleInviteHead + "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bKa,,\n", 400, "Bad Header: Via", SipRejectReason.MalformedHeader },
        { "bad From", Replace(FromLine, "From: <sip:alice@example.com"), 400, "Bad Header: From", SipRejectReason.MalformedHeader },
        { "bad To", Replace(ToLine, "To: not a uri"), 400, "Bad Header: To", SipRejectReason.MalformedHeader },
        { "bad Call-ID", Replace(CallIdLine, "Call-ID: a b"), 400, "Bad Header: Call-ID", SipRejectReason.MalformedHeader },
        { "empty Call-ID", Replace(CallIdLine, "Call-ID:"), 400, "Bad Header: Call-ID", SipRejectReason.MalformedHeader },
        { "non-numeric CSeq", Replace(CSeqLine, "CSeq: x INVITE"), 400, "Bad Header: CSeq", SipRejectReason.MalformedHeader },
        { "CSeq too big", Replace(CSeqLine, "CSeq: 2147483648 INVITE"), 400, "Bad Header: CSeq", SipRejectReason.MalformedHeader },
        { "CSeq method mismatch", Replace(CSeqLine, "CSeq: 1 BYE"), 400, "Bad Header: CSeq", SipRejectReason.MalformedHeader },
        { "CSeq method case", Replace(CSeqLine, "CSeq: 1 invite"), 400, "Bad Header: CSeq", SipRejectReason.MalformedHeader },
        { "bad Max-Forwards", Replace(MaxForwardsLine, "Max-Forwards: abc"), 400, "Bad Header: Max-Forwards", SipRejectReason.MalformedHeader },
        { "Max-Forwards 256", Replace(MaxForwardsLine, "Max-Forwards: 256"), 400, "Bad Header: Max-Forwards", SipRejectReason.MalformedHeader },
        { "bad Contact", Replace(ContactLine, "Contact: <bad>"), 400, "Bad Header: Contact", SipRejectReason.MalformedHeader },
        { "star Contact with others", SimpleInviteHead + "Contact: *\n", 400, "Bad Header: Contact", SipRejectReason.MalformedHeader },
        { "duplicate Call-ID", SimpleInviteHead + "Call-ID: other@example.com\n", 400, "Duplicate Header: Call-ID", SipRejectReason.DuplicateHeader },
        { "duplicate CSeq", SimpleInviteHead + "CSeq: 2 INVITE\n", 400, "Duplicate Header: CSeq", SipRejectReason.DuplicateHeader },
        { "duplicate From", SimpleInviteHead + "f: <sip:mallory@example.com>;tag=1\n", 400, "Duplicate Header: From", SipRejectReason.DuplicateHeader },
        { "duplicate To", SimpleInviteHead + "To: <sip:mallory@example.com>\n", 400, "Duplicate Header: To", SipRejectReason.DuplicateHeader },
        { "duplicate Max-Forwards", SimpleInviteHead + "Max-Forwards: 10\n", 400, "Duplicate Header: Max-Forwards", SipRejectReason.DuplicateHeader },
        { "version 3.0", Replace(StartLine, "INVITE sip:bob@example.com SIP/3.0"), 505, "Version Not Supported", SipRejectReason.UnsupportedVersion },
        { "http URI", Replace(StartLine, "INVITE http://example.com/ SIP/2.0"), 416, "Unsupported URI Scheme", SipRejectReason.UnsupportedUriScheme },
        { "mailto URI", Replace(StartLine, "INVITE mailto:bob@example.com SIP/2.0"), 416, "Unsupported URI Scheme", SipRejectReason.UnsupportedUriScheme },
        { "unparseable URI", Replace(StartLine, "INVITE sip:bob@ SIP/2.0"), 400, "Bad Request-URI", SipRejectReason.BadRequestUri },
        { "URI without scheme", Replace(StartLine, "INVITE bob SIP/2.0"), 400, "Bad Request-URI", SipRejectReason.BadRequestUri },
        { "double space", Replace(StartLine, "INVITE  sip:bob@example.com SIP/2.0"), 400, "Malformed Request-Line", SipRejectReason.MalformedStartLine },
        { "no version", Replace(StartLine, "INVITE sip:bob@example.com"), 400, "Malformed Request-Line", SipRejectReason.MalformedStartLine },
        { "bad method", Replace(StartLine, "INV(TE sip:bob@example.com SIP/2.0"), 400, "Malformed Request-Line", SipRejectReason.MalformedStartLine },
        { "bad status", "SIP/2.0 99 Odd\n" + SimpleInviteHead[(SimpleInviteHead.IndexOf('\n') + 1)..], 400, "Malformed Status-Line", SipRejectReason.MalformedStartLine },
        { "space in header name", SimpleInviteHead + "Sub ject: x\n", 400, "Malformed Header", SipRejectReason.MalformedHeader },
        { "invalid name char", SimpleInviteHead + "Fr@m: x\n", 400, "Malformed Header", SipRejectReason.MalformedHeader },
        { "no colon", SimpleInviteHead + "Subject\n", 400, "Malformed Header", SipRejectReason.MalformedHeader },
        { "fold after start line", StartLine + "\n continued\n" + SimpleInviteHead[(SimpleInviteHead.IndexOf('\n') + 1)..], 400, "Malformed Header", SipRejectReason.MalformedHeader },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stream_RejectsWithStatusAndReason(string name, string head, int status, string phrase, SipRejectReason reason)
    {
        var bytes = Build(head, "body!");
        var result = ParseStream(bytes, out var m, out var r, out var consumed);
        Assert.True(result == SipParseResult.Invalid, name);
        Assert.Null(m);
        Assert.Equal((status, phrase, reason), (r!.StatusCode, r.ReasonPhrase, r.Reason));
        // Framing is intact: the connection can continue after the whole message, body included.
        Assert.True(r.CanContinue);
        Assert.Equal(bytes.Length, consumed);
        if (!name.StartsWith("bad status", StringComparison.Ordinal) && !name.StartsWith("bad method", StringComparison.Ordinal))
        {
            Assert.NotNull(r.Partial);
            Assert.Equal("body!"u8.ToArray(), r.Partial!.Body.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Datagram_RejectsWithStatusAndReason(string name, string head, int status, string phrase, SipRejectReason reason)
    {
        var result = SipParser.TryParseDatagram(Build(head), Limits, out _, out var r);
        Assert.True(result == SipParseResult.Invalid, name);
        Assert.Equal((status, phrase, reason), (r!.StatusCode, r.ReasonPhrase, r.Reason));
    }

    [Fact]
    public void UnsupportedScheme_PartialKeepsHeadersForTheAnswer()
    {
        ParseStream(Build(Replace(StartLine, "INVITE http://example.com/ SIP/2.0")), out _, out var r, out _);
        var partial = r!.Partial!;
        Assert.True(partial.IsRequest);
        Assert.Null(partial.RequestUri);
        Assert.Equal("3848276298220188511@example.com", partial.CallId);
        var answer = SipMessage.CreateResponse(partial, r.StatusCode, r.ReasonPhrase);
        Assert.Contains("SIP/2.0 416 Unsupported URI Scheme\r\nVia: SIP/2.0/TCP client.example.com", answer.ToString(), StringComparison.Ordinal);
    }

    // name, raw bytes (no fix-up), status, phrase, reason
    public static TheoryData<string, byte[], int, string, SipRejectReason> FramingCases()
    {
        var ok = Encoding.UTF8.GetString(SimpleInvite());
        byte[] B(string s) => Encoding.UTF8.GetBytes(s);
        return new()
        {
            { "missing Content-Length", Build(SimpleInviteHead, contentLength: false), 400, "Missing Header: Content-Length", SipRejectReason.MissingHeader },
            { "bad Content-Length", B(ok.Replace("Content-Length: 0", "Content-Length: abc", StringComparison.Ordinal)), 400, "Bad Header: Content-Length", SipRejectReason.BadContentLength },
            { "negative Content-Length", B(ok.Replace("Content-Length: 0", "Content-Length: -1", StringComparison.Ordinal)), 400, "Bad Header: Content-Length", SipRejectReason.BadContentLength },
            { "overflow Content-Length", B(ok.Replace("Content-Length: 0", "Content-Length: 99999999999999999999", StringComparison.Ordinal)), 400, "Bad Header: Content-Length", SipRejectReason.BadContentLength },
            { "two Content-Length values", B(ok.Replace("Content-Length: 0", "Content-Length: 0, 5", StringComparison.Ordinal)), 400, "Bad Header: Content-Length", SipRejectReason.BadContentLength },
            { "duplicate Content-Length", B(ok.Replace("Content-Length: 0\r\n", "Content-Length: 0\r\nl: 4\r\n", StringComparison.Ordinal) + "abcd"), 400, "Duplicate Header: Content-Length", SipRejectReason.DuplicateHeader },
            { "bare LF line ending", B(ok.Replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\n", StringComparison.Ordinal)), 400, "Malformed Line Ending", SipRejectReason.InvalidLineEnding },
            { "bare LF everywhere", B(ok.Replace("\r\n", "\n", StringComparison.Ordinal)), 400, "Malformed Line Ending", SipRejectReason.InvalidLineEnding },
            { "bare CR", B(ok.Replace("To: Bob", "To: B\rob", StringComparison.Ordinal)), 400, "Malformed Line Ending", SipRejectReason.InvalidLineEnding },
            { "NUL in value", B(ok.Replace("To: Bob", "To: B\0ob", StringComparison.Ordinal)), 400, "Bad Header: To", SipRejectReason.InvalidCharacter },
            { "NUL in start line", B(ok.Replace("INVITE sip:bob", "INVITE sip:b\0ob", StringComparison.Ordinal)), 400, "Invalid Character", SipRejectReason.InvalidCharacter },
            { "DEL in name", B(ok.Replace("To: Bob", "T\u007Fo: Bob", StringComparison.Ordinal)), 400, "Invalid Character", SipRejectReason.InvalidCharacter },
        };
    }

    [Theory]
    [MemberData(nameof(FramingCases))]
    public void Stream_FramingErrors_CloseTheConnection(string name, byte[] bytes, int status, string phrase, SipRejectReason reason)
    {
        var seq = new ReadOnlySequence<byte>(bytes);
        var result = SipParser.TryParse(seq, Limits, out _, out var r, out var consumed, out _);
        Assert.True(result == SipParseResult.Invalid, name);
        Assert.Equal((status, phrase, reason), (r!.StatusCode, r.ReasonPhrase, r.Reason));
        Assert.False(r.CanContinue);
        Assert.Equal(seq.End, consumed);
    }

    [Fact]
    public void TooManyHeaders()
    {
        var limits = new SipParserLimits(MaxHeaderCount: 7);
        Assert.Equal(SipParseResult.Complete, ParseStream(SimpleInvite(), out _, out _, out _, new SipParserLimits(MaxHeaderCount: 8)));
        Assert.Equal(SipParseResult.Invalid, ParseStream(SimpleInvite(), out _, out var r, out _, limits));
        Assert.Equal((400, "Too Many Headers", SipRejectReason.TooManyHeaders), (r!.StatusCode, r.ReasonPhrase, r.Reason));
        Assert.False(r.CanContinue);
        Assert.Equal("3848276298220188511@example.com", r.Partial!.CallId);
    }

    [Fact]
    public void TooManyHeaders_DetectedBeforeTheHeaderSectionEnds()
    {
        var head = Encoding.UTF8.GetBytes(StartLine + "\r\n" + string.Concat(Enumerable.Repeat("X-A: 1\r\n", 101)));
        Assert.Equal(SipParseResult.Invalid, ParseStream(head, out _, out var r, out _));
        Assert.Equal(SipRejectReason.TooManyHeaders, r!.Reason);
    }

    [Fact]
    public void LineTooLong_EvenWhenTheLineIsNotComplete()
    {
        var limits = new SipParserLimits(MaxLineBytes: 100);
        var complete = Build(SimpleInviteHead + "Subject: " + new string('x', 92) + "\n");
        Assert.Equal(SipParseResult.Invalid, ParseStream(complete, out _, out var r, out _, limits));
        Assert.Equal((400, "Line Too Long", SipRejectReason.LineTooLong), (r!.StatusCode, r.ReasonPhrase, r.Reason));

        var exactly = Build(SimpleInviteHead + "Subject: " + new string('x', 91) + "\n");
        Assert.Equal(SipParseResult.Complete, ParseStream(exactly, out _, out _, out _, limits));

        // 102 bytes without a line end: no need to wait for more data.
        var unterminated = Encoding.UTF8.GetBytes(SimpleInviteHead.Replace("\n", "\r\n", StringComparison.Ordinal) + "Subject: " + new string('x', 93));
        Assert.Equal(SipParseResult.Invalid, ParseStream(unterminated, out _, out r, out _, limits));
        Assert.Equal(SipRejectReason.LineTooLong, r!.Reason);
        Assert.Equal(SipParseResult.Incomplete, ParseStream(unterminated[..^1], out _, out _, out _, limits));
    }

    [Fact]
    public void MessageTooLarge_BeforeBuffering()
    {
        var limits = new SipParserLimits(MaxMessageBytes: 300);
        var endless = Encoding.UTF8.GetBytes(SimpleInviteHead.Replace("\n", "\r\n", StringComparison.Ordinal) +
            string.Concat(Enumerable.Repeat("X-Filler: 0123456789\r\n", 10)));
        Assert.Equal(SipParseResult.Invalid, ParseStream(endless, out _, out var r, out _, limits));
        Assert.Equal((413, "Message Too Large", SipRejectReason.MessageTooLarge, false), (r!.StatusCode, r.ReasonPhrase, r.Reason, r.CanContinue));

        // Content-Length announcing more than the limit is refused without waiting for the body.
        var announced = Build(SimpleInviteHead, "").AsSpan().ToArray();
        var text = Encoding.UTF8.GetString(announced).Replace("Content-Length: 0", "Content-Length: 200", StringComparison.Ordinal);
        Assert.Equal(SipParseResult.Invalid, ParseStream(Encoding.UTF8.GetBytes(text), out _, out r, out _, limits));
        Assert.Equal(413, r!.StatusCode);

        Assert.Equal(SipParseResult.Invalid, SipParser.TryParseDatagram(DivertedInvite(), limits, out _, out r));
        Assert.Equal(SipRejectReason.MessageTooLarge, r!.Reason);
    }

    [Fact]
    public void BodyTooLarge()
    {
        var limits = new SipParserLimits(MaxBodyBytes: 10);
        Assert.Equal(SipParseResult.Invalid, ParseStream(Build(SimpleInviteHead, "01234567890"), out _, out var r, out _, limits));
        Assert.Equal((413, SipRejectReason.BodyTooLarge), (r!.StatusCode, r.Reason));
        Assert.Equal(SipParseResult.Complete, ParseStream(Build(SimpleInviteHead, "0123456789"), out _, out _, out _, limits));
    }

    [Fact]
    public void ResponseMissingHeaders()
    {
        var head = OkResponseHead.Replace("Call-ID: 3848276298220188511@example.com\n", "", StringComparison.Ordinal);
        Assert.Equal(SipParseResult.Invalid, ParseStream(Build(head), out _, out var r, out _));
        Assert.Equal("Missing Header: Call-ID", r!.ReasonPhrase);
        Assert.False(r.Partial!.IsRequest);
    }

    [Fact]
    public void Response_WrongVersion_Is505()
    {
        Assert.Equal(SipParseResult.Invalid, ParseStream(Build(OkResponseHead.Replace("SIP/2.0 200", "SIP/2.1 200", StringComparison.Ordinal)), out _, out var r, out _));
        Assert.Equal(505, r!.StatusCode);
    }
}
