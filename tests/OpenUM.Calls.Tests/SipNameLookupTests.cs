using System.Buffers;
using System.Text;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.Tests;

/// <summary>SipName dial plans: the called mailbox and the caller's own mailbox are found by SIP address, not digits.</summary>
public class SipNameLookupTests
{
    private static readonly DialPlan Sip = new() { Name = "Sip", NumberOfDigitsInExtension = 4, UriType = UmUriType.SipName };
    private static readonly DialPlan Tel = new() { Name = "Tel", NumberOfDigitsInExtension = 4 };

    private static readonly ConfigurationSnapshot Config = new(1, [Sip, Tel], [], [], [],
    [
        new Mailbox { Extension = "1000", DialPlan = "Sip", EmailAddress = "alice@example.test", SipUri = "sip:alice@Example.COM" },
        new Mailbox { Extension = "1001", DialPlan = "Sip", EmailAddress = "bob@example.test", SipUri = "sips:bob@example.com" },
        new Mailbox { Extension = "1000", DialPlan = "Tel", EmailAddress = "carol@example.test", SipUri = "sip:carol@example.com" },
    ]);

    private static SipMessage Invite(string requestUri, string from, params string[] extraHeaders)
    {
        var text = new StringBuilder()
            .Append($"INVITE {requestUri} SIP/2.0\r\n")
            .Append("Via: SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-1\r\n")
            .Append($"From: {from};tag=a1\r\n")
            .Append("To: <sip:voicemail@um.example.com>\r\n")
            .Append("Call-ID: c1@127.0.0.1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n");
        foreach (var h in extraHeaders) text.Append(h).Append("\r\n");
        text.Append("Content-Length: 0\r\n\r\n");
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text.ToString())), new SipParserLimits(),
            out var message, out var rejection, out _, out _);
        Assert.True(result == SipParseResult.Complete, rejection?.ReasonPhrase);
        return message!;
    }

    private const string Caller = "<sip:5551234@gw.example.com>";

    [Fact]
    public void TheDiversionTargetsAddressFindsTheMailbox()
    {
        var invite = Invite("sip:voicemail@um.example.com", Caller, "Diversion: <sip:alice@example.com;transport=tls>;reason=no-answer");
        var (mailbox, extension, called) = CalledParty.FindMailbox(invite, Config, Sip);
        Assert.Equal(("alice@example.test", "1000"), (mailbox?.EmailAddress, extension));
        Assert.Equal("alice@example.com (Diversion)", called);
    }

    [Fact]
    public void TheHistoryInfoTargetFindsTheMailbox()
    {
        // RFC 7044: the entry before the last is the user the call was for; sip and sips name the same user.
        var invite = Invite("sip:voicemail@um.example.com", Caller,
            "History-Info: <sip:bob@example.com:5061>;index=1, <sip:voicemail@um.example.com>;index=1.1");
        Assert.Equal("1001", CalledParty.FindMailbox(invite, Config, Sip).Extension);
    }

    [Fact]
    public void TheRequestUriFindsTheMailboxWhenNothingElseNamesOne()
    {
        var invite = Invite("sip:alice@example.com", Caller);
        Assert.Equal("1000", CalledParty.FindMailbox(invite, Config, Sip).Mailbox?.Extension);
    }

    [Fact]
    public void TheUserPartIsCaseSensitiveAndTheHostIsNot()
    {
        Assert.Null(CalledParty.FindMailbox(Invite("sip:Alice@example.com", Caller), Config, Sip).Mailbox);
        Assert.Equal("1000", CalledParty.FindMailbox(Invite("sip:alice@EXAMPLE.com", Caller), Config, Sip).Extension);
    }

    [Fact]
    public void AnExtensionStillFindsTheMailboxOfASipNamePlan()
    {
        var invite = Invite("sip:voicemail@um.example.com", Caller, "Diversion: <sip:+4930123451001@pbx.example.com>");
        Assert.Equal("bob@example.test", CalledParty.FindMailbox(invite, Config, Sip).Mailbox?.EmailAddress);
    }

    [Fact]
    public void OtherPlansDoNotMatchAddresses()
    {
        // carol's address is configured, but her Tel plan goes by extension: the digits-less address finds nothing.
        var invite = Invite("sip:voicemail@um.example.com", Caller, "Diversion: <sip:carol@example.com>");
        Assert.Equal((null, null), (CalledParty.FindMailbox(invite, Config, Tel).Mailbox, CalledParty.FindMailbox(invite, Config, Tel).Extension));
        Assert.Equal("carol@example.test", CalledParty.FindMailbox(Invite("sip:1000@um.example.com", Caller), Config, Tel).Mailbox?.EmailAddress);
    }

    [Fact]
    public void TheCallersOwnMailboxIsFoundByItsSipAddress()
    {
        var invite = Invite("sip:voicemail@um.example.com", "\"Alice\" <sips:alice@example.com>");
        Assert.Equal("1000", CallingParty.Find(invite, Config, Sip).Mailbox?.Extension);
        Assert.Null(CallingParty.Find(invite, Config, Tel).Mailbox);
        Assert.Null(CallingParty.Find(Invite("sip:voicemail@um.example.com", "<sip:mallory@example.com>"), Config, Sip).Mailbox);
    }
}
