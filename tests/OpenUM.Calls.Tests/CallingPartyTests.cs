using System.Buffers;
using System.Text;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.Tests;

/// <summary>The caller's number, name and own mailbox as taken from the INVITE's From header.</summary>
public class CallingPartyTests
{
    private static readonly DialPlan Plan = new() { Name = "Test", NumberOfDigitsInExtension = 4 };

    private static readonly ConfigurationSnapshot Config = new(1, [Plan], [], [], [],
    [
        new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test", DisplayName = "User 1000" },
        new Mailbox { Extension = "1001", DialPlan = "Test", EmailAddress = "user1001@example.test", DisplayName = "User 1001" },
    ]);

    private static SipMessage Invite(string from)
    {
        string text = "INVITE sip:1000@127.0.0.1 SIP/2.0\r\n" +
            "Via: SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-1\r\n" +
            $"From: {from};tag=a1\r\n" +
            "To: <sip:1000@127.0.0.1>\r\n" +
            "Call-ID: c1@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text)), new SipParserLimits(),
            out var message, out var rejection, out _, out _);
        Assert.True(result == SipParseResult.Complete, rejection?.ReasonPhrase);
        return message!;
    }

    [Theory]
    [InlineData("\"Bob Caller\" <sip:5551234@gw.example>", "5551234", "Bob Caller")]
    [InlineData("<sip:5551234@gw.example>", "5551234", "")]
    [InlineData("\"=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=\" <sip:5551234@gw.example>", "5551234",
        "=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=")]                                                    // not decoded
    [InlineData("\"CEO \\\"<ceo@corp.example>\\\"\" <sip:5551234@gw.example>", "5551234", "CEO ceo@corp.example")]
    [InlineData("\"\u202Egnp.exe\" <sip:5551234@gw.example>", "5551234", "gnp.exe")]                       // U+202E
    [InlineData("\"Eve \\0 %00\" <sip:5551234@gw.example>", "5551234", "Eve 0 %00")]                       // quoted-pair \0 is '0'
    [InlineData("\"Bob\" <sip:555%0D%0ABcc%3A%20victim%40evil.example@gw.example>", "555 Bcc: victim@evil.example", "Bob")]
    [InlineData("\"Bob\" <sip:5551234%00X-Injected%3A1@gw.example>", "5551234 X-Injected:1", "Bob")]      // %00 is NUL
    [InlineData("\"Bob\" <sip:=?utf-8?q?=0D=0A?=@gw.example>", "=?utf-8?q?=0D=0A?=", "Bob")]
    [InlineData("\"Bob\" <sip:gw.example>", "Anonymous", "Bob")]
    public void NumberAndNameAreCleanedLiteralText(string from, string number, string name)
    {
        var caller = CallingParty.Find(Invite(from), Config, Plan);
        Assert.Equal((number, name), (caller.Number, caller.Name));
        Assert.Null(caller.Mailbox);
    }

    [Fact]
    public void AnEightKilobyteNameIsCapped()
    {
        var caller = CallingParty.Find(Invite($"\"{new string('A', 8000)}\" <sip:5551234@gw.example>"), Config, Plan);
        Assert.Equal(64, caller.Name.Length);
        Assert.EndsWith("...", caller.Name);
    }

    [Theory]
    [InlineData("<sip:1001@pbx.example>", "user1001@example.test")]
    [InlineData("\"Somebody Else\" <sip:1001@pbx.example>", "user1001@example.test")]
    [InlineData("<tel:1000>", "user1000@example.test")]
    [InlineData("<sip:+12065551001@gw.example>", null)]      // an external number ending in an extension is not it
    [InlineData("<sip:21001@gw.example>", null)]
    [InlineData("<sip:1002@pbx.example>", null)]             // an extension without a mailbox
    [InlineData("<sip:1001%0A@pbx.example>", null)]
    public void OnlyAnExactExtensionIsTheCallersMailbox(string from, string? address)
    {
        var caller = CallingParty.Find(Invite(from), Config, Plan);
        Assert.Equal(address, caller.Mailbox?.EmailAddress);
    }
}
