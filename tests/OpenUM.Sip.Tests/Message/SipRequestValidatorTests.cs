using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

public class SipRequestValidatorTests
{
    private static readonly SipUasPolicy Policy = new(
        new HashSet<string>(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO"], StringComparer.Ordinal),
        new HashSet<string>(["timer"], StringComparer.Ordinal),
        new HashSet<string>(["application/sdp"], StringComparer.OrdinalIgnoreCase));

    private static SipMessage Request(string method, string extraHeaders = "", string body = "", string? maxForwards = "70")
    {
        var head = SimpleInviteHead
            .Replace("INVITE sip:", method + " sip:", StringComparison.Ordinal)
            .Replace("CSeq: 1 INVITE", "CSeq: 1 " + method, StringComparison.Ordinal)
            .Replace("Max-Forwards: 70\n", maxForwards is null ? "" : $"Max-Forwards: {maxForwards}\n", StringComparison.Ordinal);
        return ParseOk(Build(head + extraHeaders, body));
    }

    [Fact]
    public void AcceptableInvite_IsNull()
    {
        Assert.Null(SipRequestValidator.Validate(Request("INVITE", "Content-Type: application/SDP\nRequire: timer\n", Sdp), Policy));
        Assert.Null(SipRequestValidator.Validate(ParseOk(DivertedInvite()), SipUasPolicy.Default));
        Assert.Null(SipRequestValidator.Validate(Request("INVITE", maxForwards: null), Policy));
    }

    [Theory]
    [InlineData("REGISTER")]
    [InlineData("SUBSCRIBE")]
    [InlineData("NOTIFY")]
    [InlineData("REFER")]
    [InlineData("MESSAGE")]
    [InlineData("UPDATE")]
    [InlineData("PRACK")]
    [InlineData("PUBLISH")]
    public void KnownButNotAllowed_Is405WithAllow(string method)
    {
        var response = SipRequestValidator.Validate(Request(method), Policy)!;
        Assert.Equal(405, response.StatusCode);
        Assert.Equal("Method Not Allowed", response.ReasonPhrase);
        Assert.Equal(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO"], response.Headers.SplitValues("Allow"));
        Assert.Equal("3848276298220188511@example.com", response.CallId);
    }

    [Theory]
    [InlineData("FOO")]
    [InlineData("invite")]
    public void UnknownMethod_Is501WithAllow(string method)
    {
        var response = SipRequestValidator.Validate(Request(method), Policy)!;
        Assert.Equal(501, response.StatusCode);
        // RFC 4475 §3.1.1.2: "a 501 listing the methods they understand in an Allow header field".
        Assert.Equal(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO"], response.Headers.SplitValues("Allow"));
    }

    [Theory]
    [InlineData("INVITE", "Accept: text/nobodyKnowsThis\n", "", 406)]
    [InlineData("INVITE", "Accept: application/sdp;q=0\n", "", 406)]
    [InlineData("INVITE", "Accept: application/*\n", "", null)]
    [InlineData("INVITE", "", "", null)]
    [InlineData("OPTIONS", "Accept: text/plain\n", "", null)]
    public void AcceptWithoutSdp_Is406WithWarning(string method, string extra, string body, int? status)
    {
        var policy = new SipUasPolicy(new HashSet<string>(["INVITE", "OPTIONS"], StringComparer.Ordinal),
            new HashSet<string>(), new HashSet<string>(["application/sdp"]));
        var response = SipRequestValidator.Validate(Request(method, extra, body), policy);
        Assert.Equal(status, response?.StatusCode);
        if (status is not null) Assert.StartsWith("399 example.com \"", response!.Headers.Get("Warning"), StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateWithoutOffer_NeedsNoSdpAnswer()
    {
        var policy = new SipUasPolicy(new HashSet<string>(["UPDATE"], StringComparer.Ordinal), new HashSet<string>(),
            new HashSet<string>(["application/sdp"], StringComparer.OrdinalIgnoreCase));
        Assert.Null(SipRequestValidator.Validate(Request("UPDATE", "Accept: text/plain\n"), policy));
        Assert.Equal(406, SipRequestValidator.Validate(Request("UPDATE", "Accept: text/plain\nContent-Type: application/sdp\n", Sdp), policy)!.StatusCode);
    }

    [Fact]
    public void MissingRequestUri_Is416()
    {
        ParseStream(Build(SimpleInviteHead.Replace("sip:bob@example.com SIP", "http://bob.example.com SIP", StringComparison.Ordinal)),
            out _, out var r, out _);
        Assert.Equal(416, SipRequestValidator.Validate(r!.Partial!, Policy)!.StatusCode);
    }

    [Fact]
    public void MaxForwardsZero_Is483_ExceptForOptions()
    {
        var response = SipRequestValidator.Validate(Request("INVITE", maxForwards: "0"), Policy)!;
        Assert.Equal((483, "Too Many Hops"), (response.StatusCode, response.ReasonPhrase));
        Assert.Null(SipRequestValidator.Validate(Request("OPTIONS", maxForwards: "0"), Policy));
        Assert.Null(SipRequestValidator.Validate(Request("INVITE", maxForwards: "1"), Policy));
    }

    [Fact]
    public void UnknownRequire_Is420WithUnsupported()
    {
        var response = SipRequestValidator.Validate(Request("INVITE", "Require: timer, 100rel\nRequire: precondition, 100rel\n"), Policy)!;
        Assert.Equal((420, "Bad Extension"), (response.StatusCode, response.ReasonPhrase));
        Assert.Equal(["100rel", "precondition"], response.Headers.SplitValues("Unsupported"));
    }

    [Theory]
    [InlineData("ACK")]
    [InlineData("CANCEL")]
    public void RequireIsIgnored_OnAckAndCancel(string method) =>
        Assert.Null(SipRequestValidator.Validate(Request(method, "Require: 100rel\n"), Policy));

    [Fact]
    public void UnacceptedBody_Is415WithAccept()
    {
        var response = SipRequestValidator.Validate(Request("INVITE", "Content-Type: multipart/mixed;boundary=x\n", "--x--"), Policy)!;
        Assert.Equal((415, "Unsupported Media Type"), (response.StatusCode, response.ReasonPhrase));
        Assert.Equal("application/sdp", response.Headers.Get("Accept"));

        var untyped = SipRequestValidator.Validate(Request("INFO", body: "Signal=1"), Policy)!;
        Assert.Equal(415, untyped.StatusCode);

        // An empty body needs no acceptable type.
        Assert.Null(SipRequestValidator.Validate(Request("INFO", "Content-Type: application/dtmf-relay\n"), Policy));
    }

    [Fact]
    public void EncodedBody_Is415WithAcceptEncoding()
    {
        var response = SipRequestValidator.Validate(Request("INVITE", "Content-Type: application/sdp\nContent-Encoding: gzip\n", Sdp), Policy)!;
        Assert.Equal(415, response.StatusCode);
        Assert.Equal("identity", response.Headers.Get("Accept-Encoding"));
        Assert.Null(SipRequestValidator.Validate(Request("INVITE", "Content-Type: application/sdp\ne: identity\n", Sdp), Policy));
    }

    [Fact]
    public void ChecksRunInRfcOrder()
    {
        // Not allowed and Max-Forwards 0 and unknown Require: the method check wins (§8.2.1 first).
        Assert.Equal(405, SipRequestValidator.Validate(Request("REGISTER", "Require: x\n", maxForwards: "0"), Policy)!.StatusCode);
        Assert.Equal(483, SipRequestValidator.Validate(Request("INVITE", "Require: x\n", maxForwards: "0"), Policy)!.StatusCode);
        Assert.Equal(420, SipRequestValidator.Validate(Request("INVITE", "Require: x\nContent-Type: text/plain\n", "hi"), Policy)!.StatusCode);
    }

    [Fact]
    public void Ack_IsNeverAnswered() =>
        Assert.Null(SipRequestValidator.Validate(Request("ACK", "Content-Type: text/plain\n", "x", maxForwards: "0"),
            new SipUasPolicy(new HashSet<string>(), new HashSet<string>(), new HashSet<string>())));

    [Fact]
    public void ResponsesAreNotValidated() =>
        Assert.Null(SipRequestValidator.Validate(ParseOk(OkResponse()), Policy));

    [Fact]
    public void Responses_ReparseCleanly()
    {
        var response = SipRequestValidator.Validate(Request("INVITE", "Require: a, b\n"), Policy)!;
        var bytes = response.ToArray();
        Assert.Equal(SipParseResult.Complete, ParseStream(bytes, out var m, out _, out _));
        Assert.Equal("a, b", m!.Headers.Get("Unsupported"));
        Assert.Contains("Unsupported: a, b\r\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }
}
