using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

// Where RFC 3261's grammar allows more than a typical message shows (quoted-pair controls, LWS before SEMI,
// absoluteURI in addr-spec, Accept ranges), and where it stays strict.
public class SipGrammarEdgeTests
{
    private static byte[] With(string header) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(SimpleInvite()).Replace("Content-Length: 0\r\n", header + "\r\nContent-Length: 0\r\n", StringComparison.Ordinal));

    private static byte[] Replacing(string line, string with) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(SimpleInvite()).Replace(line, with, StringComparison.Ordinal));

    private static (SipParseResult Result, SipMessage? Message, SipRejection? Rejection) Stream(byte[] bytes)
    {
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(bytes), Limits, out var m, out var r, out _, out _);
        return (result, m, r);
    }

    [Theory]
    [InlineData("To: \"a\\\u0000b\" <sip:bob@example.com>", "a\0b")]
    [InlineData("To: \"a\\\u0007\\\u007F\" <sip:bob@example.com>", "a\u0007\u007F")]
    [InlineData("To: \"folded \\\u0001\r\n still\" <sip:bob@example.com>", "folded \u0001 still")]
    public void Escaped_control_in_a_display_name_is_taken(string to, string display)
    {
        var (result, m, r) = Stream(Replacing("To: Bob <sip:bob@example.com>", to));
        Assert.True(result == SipParseResult.Complete, r?.ReasonPhrase);
        Assert.Equal(display, m!.To!.DisplayName);
    }

    [Theory]
    [InlineData("To: B\u0000ob <sip:bob@example.com>", "Bad Header: To", SipRejectReason.InvalidCharacter)]          // not quoted
    [InlineData("To: \"B\u0000ob\" <sip:bob@example.com>", "Bad Header: To", SipRejectReason.InvalidCharacter)]      // quoted, not escaped
    [InlineData("To: B\\\u0000ob <sip:bob@example.com>", "Bad Header: To", SipRejectReason.InvalidCharacter)]       // escaped outside quotes
    [InlineData("To: \"\\\u0000\u0000\" <sip:bob@example.com>", "Bad Header: To", SipRejectReason.InvalidCharacter)] // the second is bare
    public void Control_outside_a_quoted_pair_loses_the_framing(string to, string phrase, SipRejectReason reason)
    {
        var (result, _, r) = Stream(Replacing("To: Bob <sip:bob@example.com>", to));
        Assert.Equal(SipParseResult.Invalid, result);
        Assert.Equal((400, phrase, reason, false), (r!.StatusCode, r.ReasonPhrase, r.Reason, r.CanContinue));
    }

    [Theory]
    [InlineData("Subject: \"\\\u0000\"", "Bad Header: Subject")]
    [InlineData("X-Unknown: \"\\\u0007\"", "Bad Header: X-Unknown")]
    [InlineData("Call-ID: \"\\\u0000\"", "Bad Header: Call-ID")]
    public void Escaped_control_outside_a_name_addr_header_is_refused(string header, string phrase)
    {
        var bytes = header.StartsWith("Call-ID", StringComparison.Ordinal)
            ? Replacing("Call-ID: 3848276298220188511@example.com", header)
            : With(header);
        var (result, _, r) = Stream(bytes);
        Assert.Equal(SipParseResult.Invalid, result);
        Assert.Equal((400, phrase, true), (r!.StatusCode, r.ReasonPhrase, r.CanContinue));
    }

    [Fact]
    public void Escaped_control_survives_into_a_response_but_cr_lf_never_do()
    {
        var headers = new SipHeaders();
        headers.Set("To", "\"a\\\u0000\" <sip:bob@example.com>;tag=1");
        Assert.Throws<ArgumentException>(() => headers.Set("To", "\"a\\\r\" <sip:bob@example.com>"));
        Assert.Throws<ArgumentException>(() => headers.Set("To", "\"a\\\\\u0000\" <sip:bob@example.com>"));
        Assert.Throws<ArgumentException>(() => headers.Set("To", "a\u0000"));
    }

    [Fact]
    public void Lws_between_an_addr_spec_and_its_parameters()
    {
        var (result, m, r) = Stream(Replacing("To: Bob <sip:bob@example.com>", "To:\r\n sip:bob@example.com ;  tag  =  x1"));
        Assert.True(result == SipParseResult.Complete, r?.ReasonPhrase);
        Assert.Equal(("bob", "x1"), (m!.To!.Uri.User, m.To.Tag));
    }

    [Theory]
    [InlineData("<http://www.example.com/a?b=c>", "http")]
    [InlineData("isbn:2983792873", "isbn")]
    [InlineData("\"Name\" <urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>", "urn")]
    public void From_and_to_may_carry_any_scheme(string address, string scheme)
    {
        var (result, m, r) = Stream(Replacing("To: Bob <sip:bob@example.com>", "To: " + address));
        Assert.True(result == SipParseResult.Complete, r?.ReasonPhrase);
        Assert.True(m!.To!.Uri.IsOpaque);
        Assert.Equal(scheme, m.To.Uri.Scheme);
        // Routing code never sees one: the public parser still refuses other schemes.
        Assert.False(SipNameAddress.TryParse(address, out _));
    }

    [Theory]
    [InlineData("To: <http://a b>")]
    [InlineData("To: <http:>")]
    [InlineData("To: <ht tp://a>")]
    [InlineData("To: http://a?b")]
    public void Other_schemes_still_follow_the_absolute_uri_grammar(string to)
    {
        var (result, _, r) = Stream(Replacing("To: Bob <sip:bob@example.com>", to));
        Assert.Equal(SipParseResult.Invalid, result);
        Assert.Equal("Bad Header: To", r!.ReasonPhrase);
    }

    [Fact]
    public void Request_uri_with_headers_is_refused()
    {
        var (result, _, r) = Stream(Replacing("INVITE sip:bob@example.com SIP/2.0", "INVITE sip:bob@example.com?Subject=x SIP/2.0"));
        Assert.Equal(SipParseResult.Invalid, result);
        Assert.Equal((400, "Bad Request-URI"), (r!.StatusCode, r.ReasonPhrase));
    }

    [Fact]
    public void Branch_that_is_only_the_magic_cookie_is_refused()
    {
        var (result, _, r) = Stream(Replacing("branch=z9hG4bK74bf9", "branch=z9hG4bK"));
        Assert.Equal(SipParseResult.Invalid, result);
        Assert.Equal((400, "Bad Header: Via", true), (r!.StatusCode, r.ReasonPhrase, r.CanContinue));
    }

    [Fact]
    public void Cseq_mismatch_is_left_to_the_uas_for_a_method_nobody_defined()
    {
        var unknown = Encoding.UTF8.GetString(SimpleInvite())
            .Replace("INVITE sip:", "FOO sip:", StringComparison.Ordinal);
        var (result, m, _) = Stream(Encoding.UTF8.GetBytes(unknown));
        Assert.Equal(SipParseResult.Complete, result);
        Assert.Equal(("FOO", "INVITE"), (m!.Method, m.CSeq!.Value.Method));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("application/sdp", true)]
    [InlineData("APPLICATION/SDP;level=1", true)]
    [InlineData("text/plain, application/*", true)]
    [InlineData("*/*", true)]
    [InlineData("text/plain;q=1, application/sdp;q=0.5", true)]
    [InlineData("*/*;q=0, application/sdp", true)]
    [InlineData("text/nobodyKnowsThis", false)]       // RFC 4475 §3.3.15
    [InlineData("", false)]                           // §20.1: an empty Accept accepts nothing
    [InlineData("application/sdp;q=0", false)]
    [InlineData("application/sdp;q=0.000, */*", false)]
    [InlineData("application/*;q=0, */*", false)]
    [InlineData("application/sdpx", false)]
    [InlineData("application/sdp;q=2", false)]
    public void Accept_decides_whether_an_sdp_answer_can_be_sent(string? accept, bool accepted)
    {
        var headers = new SipHeaders();
        if (accept is not null) headers.Add("Accept", accept);
        Assert.Equal(accepted, SipAccept.AcceptsSdp(headers));
    }

    [Fact]
    public void Accept_lines_add_up()
    {
        var headers = new SipHeaders();
        headers.Add("Accept", "text/plain");
        headers.Add("Accept", "application/sdp");
        Assert.True(SipAccept.AcceptsSdp(headers));
    }
}
