using System.Buffers;
using System.Text;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Message;

// RFC 3842 message-summary bodies (application/simple-message-summary).
public sealed class MessageSummaryTests
{
    // RFC 3842 §4.1 (Example Usage), the body of the NOTIFY in the example message flow, verbatim.
    private const string Rfc3842Section41Body =
        "Messages-Waiting: yes\r\n" +
        "Message-Account: sip:alice@vmail.example.com\r\n" +
        "Voice-Message: 2/8 (0/2)\r\n";

    private static string Format(MessageSummary summary)
    {
        var writer = new ArrayBufferWriter<byte>();
        summary.Format(writer);
        return Encoding.ASCII.GetString(writer.WrittenSpan);
    }

    private static MessageSummary Parse(string body)
    {
        Assert.True(MessageSummary.TryParse(Encoding.UTF8.GetBytes(body), out var summary), body);
        return summary;
    }

    [Fact]
    public void The_rfc_example_parses_and_formats_back_byte_for_byte()
    {
        var summary = Parse(Rfc3842Section41Body);

        Assert.Equal(new MessageSummary(true, "sip:alice@vmail.example.com", 2, 8, 0, 2), summary);
        Assert.Equal(Rfc3842Section41Body, Format(summary));
        Assert.Equal(Rfc3842Section41Body, Encoding.ASCII.GetString(summary.ToArray()));
    }

    [Fact]
    public void A_voice_summary_lights_the_lamp_only_for_new_messages_and_always_writes_the_urgent_pair()
    {
        Assert.Equal("Messages-Waiting: yes\r\nMessage-Account: sip:1000@um.example.test\r\nVoice-Message: 2/8 (0/0)\r\n",
            Format(MessageSummary.ForVoice(2, 8, "sip:1000@um.example.test")));
        Assert.Equal("Messages-Waiting: no\r\nVoice-Message: 0/3 (0/0)\r\n", Format(MessageSummary.ForVoice(0, 3)));
        Assert.Equal("Messages-Waiting: yes\r\nVoice-Message: 4294967295/0 (1/0)\r\n",
            Format(new MessageSummary(true, null, uint.MaxValue, 0, 1, 0)));
    }

    [Theory]
    [InlineData("sip:1000@um.example.test\r\nVoice-Message: 9/9")]
    [InlineData("sip:a b@x")]
    [InlineData("")]
    public void An_account_that_could_add_lines_is_refused(string account)
    {
        Assert.Throws<ArgumentException>(() => Format(MessageSummary.ForVoice(1, 0, account)));
    }

    [Fact]
    public void The_status_line_alone_is_a_summary_without_counts()
    {
        Assert.Equal(new MessageSummary(false, null, 0, 0), Parse("Messages-Waiting: no\r\n"));
    }

    [Fact]
    public void Names_are_case_insensitive_blanks_around_separators_and_bare_line_feeds_are_read()
    {
        var summary = Parse("messages-waiting:YES\nvoice-message :  4 / 8 ( 1 / 2 )\n");
        Assert.Equal(new MessageSummary(true, null, 4, 8, 1, 2), summary);
    }

    [Fact]
    public void Other_context_classes_are_skipped_and_message_headers_after_the_blank_line_are_not_read()
    {
        var summary = Parse(
            "Messages-Waiting: yes\r\n" +
            "Message-Account: sip:alice@vmail.example.com\r\n" +
            "Fax-Message: 1/3\r\n" +
            "Voice-Message: 4/8 (1/2)\r\n" +
            "\r\n" +
            "To: <alice@atlanta.example.com>\r\n" +
            "Subject: carpool tomorrow?\r\n");
        Assert.Equal(new MessageSummary(true, "sip:alice@vmail.example.com", 4, 8, 1, 2), summary);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Messages-Waiting: maybe\r\n")]
    [InlineData("Voice-Message: 1/0\r\nMessages-Waiting: yes\r\n")] // the status line comes first
    [InlineData("Messages-Waiting: yes")] // the last line has no line end
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1\r\n")]
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1/2 (3)\r\n")]
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1/2 (3/4\r\n")]
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1/2 x\r\n")]
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: -1/2\r\n")]
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 4294967296/0\r\n")] // above 2^32-1
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1/0\r\nVoice-Message: 2/0\r\n")]
    [InlineData("Messages-Waiting: yes\r\nChat-Message: 1/0\r\n")] // not an RFC 3458 class
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1/0\r\nMessage-Account: sip:a@b\r\n")] // account after a summary line
    [InlineData("Messages-Waiting: yes\r\nMessage-Account: alice\r\n")] // not a URI
    [InlineData("\r\nMessages-Waiting: yes\r\n")]
    [InlineData("Messages-Waiting: yes\r\nVoice-Message: 1/0\0\r\n")]
    public void Malformed_bodies_are_refused(string body)
    {
        Assert.False(MessageSummary.TryParse(Encoding.UTF8.GetBytes(body), out var summary), body);
        Assert.Equal(default, summary);
    }

    [Fact]
    public void Bodies_above_the_bound_are_refused_without_being_read()
    {
        var body = "Messages-Waiting: yes\r\n" + new string(' ', MessageSummary.MaxParsedLength);
        Assert.False(MessageSummary.TryParse(Encoding.ASCII.GetBytes(body), out _));
        var line = "Messages-Waiting: yes\r\nVoice-Message: " + new string('0', 2000) + "1/0\r\n";
        Assert.False(MessageSummary.TryParse(Encoding.ASCII.GetBytes(line), out _));
    }

    [Fact]
    public void Random_bytes_never_throw_and_anything_accepted_formats_to_something_that_parses_the_same()
    {
        var random = new Random(3842);
        var alphabet = Encoding.ASCII.GetBytes("Messages-Waiting: yes\r\nno Voice-Message 0123456789/() \nsip:a@b Fax");
        for (var i = 0; i < 20_000; i++)
        {
            var input = new byte[random.Next(0, 120)];
            for (var j = 0; j < input.Length; j++) input[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            if (!MessageSummary.TryParse(input, out var summary)) continue;
            Assert.True(MessageSummary.TryParse(summary.ToArray(), out var again));
            Assert.Equal(summary, again);
        }
    }
}
