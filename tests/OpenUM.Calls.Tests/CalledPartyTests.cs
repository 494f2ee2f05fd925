using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.Tests;

public class CalledPartyTests
{
    private static SipMessage Invite(string requestUri, params string[] extraHeaders)
    {
        var text = new StringBuilder()
            .Append($"INVITE {requestUri} SIP/2.0\r\n")
            .Append("Via: SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-1\r\n")
            .Append("From: \"Alice\" <sip:5551234@127.0.0.1>;tag=a1\r\n")
            .Append("To: <sip:voicemail@127.0.0.1>\r\n")
            .Append("Call-ID: c1@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n");
        foreach (var h in extraHeaders) text.Append(h).Append("\r\n");
        text.Append("Content-Length: 0\r\n\r\n");
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString())), new SipParserLimits(),
            out var message, out var rejection, out _, out _);
        Assert.True(result == SipParseResult.Complete, rejection?.ReasonPhrase);
        return message!;
    }

    [Fact]
    public void DiversionWinsOverHistoryInfoAndRequestUri()
    {
        var invite = Invite("sip:5000@127.0.0.1",
            "Diversion: <sip:1001@pbx.example;user=phone>;reason=no-answer;counter=1",
            "History-Info: <sip:1002@pbx.example>;index=1, <sip:5000@um.example>;index=1.1");
        Assert.Equal(("1001", "Diversion"), CalledParty.Find(invite));
    }

    [Fact]
    public void TopmostDiversionIsTheMostRecentRedirection()
    {
        // RFC 5806 §4: the most recent diversion is listed first.
        var invite = Invite("sip:5000@127.0.0.1", "Diversion: <tel:2002>;reason=user-busy, <sip:3003@pbx>;reason=no-answer");
        Assert.Equal("2002", CalledParty.Find(invite)?.Number);
    }

    [Fact]
    public void HistoryInfoUsesTheEntryRetargetedToUs()
    {
        // RFC 7044: entries in order; the last one is the UM server itself, the one before it the user.
        var invite = Invite("sip:5000@127.0.0.1",
            "History-Info: <sip:1000@pbx.example?Reason=SIP%3Bcause%3D480>;index=1, <sip:1002@pbx.example>;index=1.1, <sip:5000@um.example>;index=1.1.1");
        Assert.Equal(("1002", "History-Info"), CalledParty.Find(invite));
    }

    [Fact]
    public void RequestUriIsTheFallback()
    {
        Assert.Equal(("1000", "Request-URI"), CalledParty.Find(Invite("sip:1000@127.0.0.1:5060;transport=tcp")));
    }

    [Fact]
    public void VisualSeparatorsAndPhoneContextAreIgnored()
    {
        Assert.Equal("+49301234", CalledParty.Find(Invite("sip:+49-30-1234;phone-context=example.com@127.0.0.1;user=phone"))?.Number);
    }

    [Theory]
    [InlineData("1000", 4, "1000")]
    [InlineData("+4930123451000", 4, "1000")]
    [InlineData("4930123451000", 5, "51000")]
    [InlineData("100", 4, null)]
    [InlineData("10a0", 4, null)]
    [InlineData("alice", 4, null)]
    public void ExtensionIsTheLastDigitsOfTheNumber(string number, int digits, string? expected)
    {
        Assert.Equal(expected, CalledParty.ToExtension(number, digits));
    }
}
