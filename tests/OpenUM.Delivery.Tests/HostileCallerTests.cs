using System.Text;
using System.Text.RegularExpressions;
using MimeKit;

namespace OpenUM.Delivery.Tests;

/// <summary>
/// Hostile caller names and numbers through the composer: each ends up as literal text in the display parts
/// (From display name, Subject, X- headers), never as an address, a header or a line break, whatever the reader.
/// </summary>
public class HostileCallerTests
{
    private const string Sender = "voicemail@um.example.com";

    /// <summary>Name, number (both as the call layer hands them over: SIP unquoting and %-unescaping done).</summary>
    public static TheoryData<string, string> Corpus() => new()
    {
        { "=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=", "5551234" },
        { "=?utf-8?b?Qm9zcw0KQmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=", "5551234" },   // "Boss\r\nBcc: victim@..." in base64
        { "Eve =?iso-8859-1?q?=0A?=X-Injected: 1", "5551234" },                   // an encoded-word inside the text
        { "Eve=?utf-8?q?=0D=0A?=Bcc:victim@evil.example", "5551234" },            // ... not even separated by a space
        { "CEO \"<ceo@corp.example>\"", "5551234" },
        { "Boss <boss@corp.example>, victim@evil.example", "5551234" },
        { "\u202Egnp.exe", "5551234" },                                             // RIGHT-TO-LEFT OVERRIDE
        { "Line\u2028Bcc: victim@evil.example\u2029", "5551234" },
        { new string('A', 8192), "5551234" },
        { string.Concat(Enumerable.Repeat("\u00FC\U0001F600", 4096)), "5551234" }, // 8 k characters needing encoding
        { "Eve\0Bcc: victim@evil.example", "5551234" },
        { "Eve%00%0D%0ABcc: victim@evil.example \\0", "5551234" },                // escapes that are not decoded
        { "Eve\r\nBcc: victim@evil.example\r\n\r\nbody", "5551234" },
        { "Bob Caller", "555\r\nBcc: victim@evil.example" },                       // injection in the user part
        { "Bob Caller", "=?utf-8?q?=0D=0ABcc:_victim@evil.example?=" },
        { "Bob Caller", "5551234\0X-Injected: 1" },
        { "Bob Caller", "<sip:ceo@corp.example>" },
        { "", "=?utf-8?q?Boss=0D=0A?=" },                                          // the number becomes the From display name
        { "J\u00FCrgen M\u00FCller", "+49 30 1234 5678" },                          // a real one, for contrast
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void CallerTextIsOnlyEverDisplayText(string name, string number)
    {
        using var fixture = new Fixture();
        var message = fixture.Message(callerId: number, callerName: name);
        byte[] eml = Write(message);
        string headers = HeaderBlock(eml);
        AssertWellFormed(headers);

        var parsed = MimeMessage.Load(new MemoryStream(eml));
        string shownName = CallerText.Name(name), shownNumber = CallerText.Number(number);

        // Exactly the headers the composer writes: nothing added by the caller's text.
        string[] expected =
        [
            "From", "To", "Subject", "Date", "Message-Id", "X-OpenUM-CallerId", "X-CallingTelephoneNumber", "X-OpenUM-CalledExtension",
            "X-OpenUM-Duration", "X-OpenUM-CallId", "X-VoiceMessageDuration", .. (shownName.Length > 0 ? new[] { "X-VoiceMessageSenderName" } : []),
            "MIME-Version",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), parsed.Headers.Select(h => h.Field).Order(StringComparer.Ordinal));

        // The only address is the configured sender (and the recipient); the caller's text is the display name.
        var from = Assert.IsType<MailboxAddress>(Assert.Single(parsed.From));
        Assert.Equal(Sender, from.Address);
        Assert.Equal(shownName.Length > 0 ? shownName : shownNumber, from.Name);
        Assert.Equal("alice@example.com", Assert.IsType<MailboxAddress>(Assert.Single(parsed.To)).Address);
        Assert.Empty(parsed.Cc);
        Assert.Empty(parsed.Bcc);
        Assert.Empty(parsed.ReplyTo);
        Assert.Null(parsed.Sender);

        string label = shownName.Length > 0 ? $"{shownName} ({shownNumber})" : shownNumber;
        Assert.Equal($"Voice mail from {label} (0:12)", parsed.Subject);
        Assert.Equal(shownNumber, parsed.Headers["X-CallingTelephoneNumber"]);
        Assert.Equal(shownNumber, parsed.Headers[VoiceMessageComposer.CallerIdHeader]);
        if (shownName.Length > 0) Assert.Equal(shownName, parsed.Headers["X-VoiceMessageSenderName"]);
        foreach (var header in parsed.Headers)
            Assert.DoesNotMatch("[\\r\\n\\0\u2028\u2029\u202E]", header.Value);
    }

    [Fact]
    public void AnEncodedWordFromTheCallerIsWrittenAsItsOwnCharacters()
    {
        using var fixture = new Fixture();
        const string hostile = "=?utf-8?q?Boss=0D=0ABcc:_victim@evil.example?=";
        string headers = HeaderBlock(Write(fixture.Message(callerName: hostile)));
        // Nowhere in the header section as written: a reader would decode it into a line break and "Bcc:".
        Assert.DoesNotContain(hostile, headers, StringComparison.Ordinal);
        Assert.DoesNotContain("Boss=0D", headers, StringComparison.Ordinal);
        // Its characters, base64-encoded as UTF-8, are the display name.
        var from = Regex.Match(headers, "^From:((?:[ \\t]+=\\?utf-8\\?b\\?[A-Za-z0-9+/=]*\\?=\\n?)+)[ \\t]*<", RegexOptions.Multiline);
        Assert.True(from.Success, headers);
        var words = Regex.Matches(from.Groups[1].Value, "=\\?utf-8\\?b\\?([A-Za-z0-9+/=]*)\\?=");
        Assert.True(words.Count > 1, "the name is longer than one encoded-word holds");
        Assert.Equal(hostile, string.Concat(words.Select(w => Encoding.UTF8.GetString(Convert.FromBase64String(w.Groups[1].Value)))));
    }

    [Fact]
    public void PlainNamesStayReadableInTheRawHeader()
    {
        using var fixture = new Fixture();
        string headers = HeaderBlock(Write(fixture.Message(callerName: "Bob O'Neil, Sales")));
        Assert.Contains("From: \"Bob O'Neil, Sales\" <" + Sender + ">", headers, StringComparison.Ordinal);
        Assert.Contains("Subject: Voice mail from Bob O'Neil, Sales (5551234) (0:12)", headers, StringComparison.Ordinal);
        Assert.Contains("X-VoiceMessageSenderName: Bob O'Neil, Sales", headers, StringComparison.Ordinal);
    }

    [Fact]
    public void ACallerWithAMailboxSendsFromItsAddressThroughTheServer()
    {
        using var fixture = new Fixture();
        var message = fixture.Message(callerId: "1001", callerName: "=?utf-8?q?CEO?=") with
        {
            CallerMailboxAddress = "bob@example.com",
            CallerMailboxName = "Bob Example",
        };
        var parsed = MimeMessage.Load(new MemoryStream(Write(message)));
        var from = Assert.IsType<MailboxAddress>(Assert.Single(parsed.From));
        Assert.Equal(("Bob Example", "bob@example.com"), (from.Name, from.Address));
        Assert.Equal(Sender, parsed.Sender?.Address);
        // The directory's name, not the one the call carried.
        Assert.Equal("Voice mail from Bob Example (1001) (0:12)", parsed.Subject);
        Assert.Equal("Bob Example", parsed.Headers["X-VoiceMessageSenderName"]);
    }

    [Fact]
    public void AnUnusableMailboxAddressFallsBackToTheServer()
    {
        using var fixture = new Fixture();
        var message = fixture.Message() with { CallerMailboxAddress = "not an address <", CallerMailboxName = "X" };
        var parsed = MimeMessage.Load(new MemoryStream(Write(message)));
        Assert.Equal(Sender, Assert.IsType<MailboxAddress>(Assert.Single(parsed.From)).Address);
        Assert.Null(parsed.Sender);
    }

    [Fact]
    public void TheOutboxRoundTripWritesTheSameHeaders()
    {
        // The outbox stores the message and the worker sends what it loads back: the encoding must survive that.
        using var fixture = new Fixture();
        byte[] first = Write(fixture.Message(callerName: "=?utf-8?q?Boss=0D=0ABcc:_x@y?= \u202E", callerId: "=?x?q?1?="));
        using var loaded = MimeMessage.Load(new MemoryStream(first));
        using var again = new MemoryStream();
        loaded.WriteTo(FormatOptions.Default, again);
        Assert.Equal(HeaderBlock(first), HeaderBlock(again.ToArray()));
    }

    internal static byte[] Write(VoiceMessage message)
    {
        using var mime = VoiceMessageComposer.Compose(message, Sender);
        using var buffer = new MemoryStream();
        mime.WriteTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>The header section with LF line ends (MimeKit writes the platform's; SMTP submission makes them CRLF).</summary>
    internal static string HeaderBlock(byte[] eml)
    {
        string text = Encoding.Latin1.GetString(eml);
        Assert.DoesNotMatch("\r(?!\n)", text);
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        int end = text.IndexOf("\n\n", StringComparison.Ordinal);
        Assert.True(end > 0, "no end of the header section");
        return text[..(end + 1)];
    }

    /// <summary>
    /// ASCII only, no line over 998 (RFC 5322 §2.1.1) nor, where an encoded-word is, over 76 (RFC
    /// 2047 §2); every "=?" starts an encoded-word the composer wrote (UTF-8, base64), none the caller did.
    /// </summary>
    internal static void AssertWellFormed(string headers)
    {
        Assert.DoesNotMatch("[^\\x20-\\x7E\\t\\n]", headers);
        foreach (string line in headers.Split('\n'))
        {
            Assert.True(line.Length <= 998, $"line of {line.Length} characters");
            if (line.Contains("=?", StringComparison.Ordinal))
                Assert.True(line.Length <= 76, $"line with an encoded-word is {line.Length} characters: {line}");
        }
        string rest = Regex.Replace(headers, "=\\?utf-8\\?b\\?[A-Za-z0-9+/]*={0,2}\\?=(?=[ \\t\\n])", " ");
        Assert.DoesNotContain("=?", rest, StringComparison.Ordinal);
    }
}
