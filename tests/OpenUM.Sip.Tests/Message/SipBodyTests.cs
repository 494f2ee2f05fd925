using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

// SIP-I / SIP-T bodies (ITU-T Q.1912.5, RFC 3204): multipart/mixed with the SDP and a binary ISUP message.
public class SipBodyTests
{
    // An ISUP IAM as a gateway encodes it, with bytes that are not text: NUL, 0xFF, CR LF, and "--".
    private static readonly byte[] Isup =
    [
        0x01, 0x00, 0x60, 0x01, 0x0A, 0x00, 0x02, 0x0A, 0x08, 0x83, 0x90, 0x89, 0x43, 0x65, 0x87, 0x09, 0x0F,
        0x0A, 0x07, 0x03, 0x13, 0x09, 0x32, 0x54, 0x76, 0x08, 0x0D, 0x0A, 0x2D, 0x2D, 0xFF, 0x31, 0x02, 0x00, 0x00,
    ];

    private const string SipIHead =
        "INVITE sip:5000@um.example.com:5060;transport=tcp SIP/2.0\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKsipi1;rport\n" +
        "Max-Forwards: 69\n" +
        "From: <sip:+14155550100@gw.example.com;user=phone>;tag=sipi1\n" +
        "To: <sip:5000@um.example.com>\n" +
        "Call-ID: sipi-1@gw.example.com\n" +
        "CSeq: 1 INVITE\n" +
        "Contact: <sip:+14155550100@192.0.2.10:5060;transport=tcp>\n" +
        "MIME-Version: 1.0\n";

    internal static byte[] SipIInvite(string contentType = "multipart/mixed;boundary=unique-boundary-1", string boundary = "unique-boundary-1",
        bool withSdp = true, bool close = true, int extraParts = 0)
    {
        var body = new List<byte>();
        void Text(string s) => body.AddRange(Encoding.ASCII.GetBytes(s));
        Text("This is a preamble.\r\n"); // RFC 2046 allows one; it is ignored
        if (withSdp) Text($"--{boundary}\r\nContent-Type: application/sdp\r\n\r\n{Sdp}\r\n");
        Text($"--{boundary}\r\nContent-Type: application/ISUP;version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n");
        body.AddRange(Isup);
        Text("\r\n");
        for (var i = 0; i < extraParts; i++) Text($"--{boundary}\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n");
        if (close) Text($"--{boundary}--\r\n");
        var head = SipIHead.Replace("\n", "\r\n", StringComparison.Ordinal)
            + $"Content-Type: {contentType}\r\nContent-Length: {body.Count}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    [Fact]
    public void Sip_i_invite_yields_the_sdp_and_the_binary_isup_part()
    {
        var invite = ParseOk(SipIInvite());

        Assert.True(SipBody.TryGetPart(invite, "application/sdp", out var sdp));
        Assert.Equal(Sdp, Encoding.ASCII.GetString(sdp.Span));
        Assert.True(SipBody.TryGetPart(invite, "application/isup", out var isup));
        Assert.Equal(Isup, isup.ToArray());
        Assert.False(SipBody.TryGetPart(invite, "application/dtmf-relay", out _));
    }

    [Fact]
    public void Plain_sdp_body_is_its_own_part()
    {
        var invite = ParseOk(DivertedInvite());

        Assert.True(SipBody.TryGetPart(invite, "application/sdp", out var sdp));
        Assert.Equal(Sdp, Encoding.ASCII.GetString(sdp.Span));
        Assert.False(SipBody.TryGetPart(ParseOk(SimpleInvite()), "application/sdp", out _));
    }

    [Fact]
    public void Quoted_boundary_is_understood()
    {
        var invite = ParseOk(SipIInvite("multipart/mixed; boundary=\"b:1 (x)\"", "b:1 (x)"));

        Assert.True(SipBody.TryGetPart(invite, "application/sdp", out var sdp));
        Assert.Equal(Sdp, Encoding.ASCII.GetString(sdp.Span));
    }

    [Theory]
    [InlineData("multipart/mixed", "unique-boundary-1", true, 0)]                    // no boundary parameter
    [InlineData("multipart/mixed;boundary=other", "unique-boundary-1", true, 0)]      // boundary not in the body
    [InlineData("multipart/mixed;boundary=unique-boundary-1", "unique-boundary-1", false, 0)] // no close delimiter
    [InlineData("multipart/mixed;boundary=unique-boundary-1", "unique-boundary-1", true, 15)] // 17 parts
    public void Malformed_or_oversized_multipart_yields_nothing(string contentType, string boundary, bool close, int extraParts)
    {
        var invite = ParseOk(SipIInvite(contentType, boundary, close: close, extraParts: extraParts));

        Assert.False(SipBody.TryGetPart(invite, "application/sdp", out _));
        Assert.Equal(415, SipRequestValidator.Validate(invite, SipUasPolicy.Default)?.StatusCode);
    }

    [Fact]
    public void Sixteen_parts_are_still_read()
    {
        Assert.True(SipBody.TryGetPart(ParseOk(SipIInvite(extraParts: 14)), "application/sdp", out _));
    }

    [Fact]
    public void Default_policy_accepts_multipart_with_sdp_and_refuses_it_without()
    {
        Assert.Null(SipRequestValidator.Validate(ParseOk(SipIInvite()), SipUasPolicy.Default));
        Assert.Null(SipRequestValidator.Validate(ParseOk(SipIInvite()), new SipUserAgentOptions().Policy));

        var isupOnly = SipRequestValidator.Validate(ParseOk(SipIInvite(withSdp: false)), SipUasPolicy.Default);
        Assert.Equal(415, isupOnly?.StatusCode);
        Assert.Contains("application/sdp", isupOnly!.Headers.Get("Accept"));
    }

    [Fact]
    public void Multipart_is_refused_when_the_policy_does_not_list_it()
    {
        var sdpOnly = new SipUasPolicy(SipUasPolicy.Default.AllowedMethods, SipUasPolicy.Default.SupportedExtensions,
            new HashSet<string>(["application/sdp"], StringComparer.OrdinalIgnoreCase));

        Assert.Equal(415, SipRequestValidator.Validate(ParseOk(SipIInvite()), sdpOnly)?.StatusCode);
    }

    [Fact]
    public void Nested_multipart_is_not_searched()
    {
        var inner = "--inner\r\nContent-Type: application/sdp\r\n\r\n" + Sdp + "\r\n--inner--\r\n";
        var body = "--outer\r\nContent-Type: multipart/mixed;boundary=inner\r\n\r\n" + inner + "\r\n--outer--\r\n";
        var invite = ParseOk(Build(SimpleInviteHead + "Content-Type: multipart/mixed;boundary=outer\n", body));

        Assert.False(SipBody.TryGetPart(invite, "application/sdp", out _));
        Assert.True(SipBody.TryGetPart(invite, "multipart/mixed", out var whole));
        Assert.Equal(invite.Body, whole); // the body itself is of that type
        Assert.Equal(415, SipRequestValidator.Validate(invite, SipUasPolicy.Default)?.StatusCode);
    }
}
