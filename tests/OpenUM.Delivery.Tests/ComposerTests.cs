using MimeKit;

namespace OpenUM.Delivery.Tests;

public class ComposerTests
{
    private static MimeMessage RoundTrip(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.WriteTo(buffer);
        buffer.Position = 0;
        return MimeMessage.Load(buffer);
    }

    private static byte[] Decode(MimePart part)
    {
        using var decoded = new MemoryStream();
        part.Content!.DecodeTo(decoded);
        return decoded.ToArray();
    }

    [Fact]
    public void ComposedMessageParsesBackWithEverything()
    {
        using var fixture = new Fixture();
        using var composed = VoiceMessageComposer.Compose(fixture.Message(), "voicemail@um.example.com");
        var parsed = RoundTrip(composed);

        var from = Assert.IsType<MailboxAddress>(Assert.Single(parsed.From));
        Assert.Equal(("Bob Caller", "voicemail@um.example.com"), (from.Name, from.Address));
        var to = Assert.IsType<MailboxAddress>(Assert.Single(parsed.To));
        Assert.Equal(("Alice Example", "alice@example.com"), (to.Name, to.Address));
        Assert.Equal("Voice mail from Bob Caller (5551234) (0:12)", parsed.Subject);
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 10, 20, 30, TimeSpan.FromHours(1)), parsed.Date);
        Assert.Equal(VoiceMessageComposer.MessageIdFor("a84b4c76e66710@pc33.atlanta.example.com"), parsed.MessageId);
        Assert.Equal("5551234", parsed.Headers[VoiceMessageComposer.CallerIdHeader]!);
        Assert.Equal("1234", parsed.Headers[VoiceMessageComposer.CalledExtensionHeader]);
        Assert.Equal("12", parsed.Headers[VoiceMessageComposer.DurationHeader]);
        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", parsed.Headers[VoiceMessageComposer.CallIdHeader]);
        Assert.Equal("5551234", parsed.Headers["X-CallingTelephoneNumber"]);
        Assert.Equal("12", parsed.Headers["X-VoiceMessageDuration"]);
        Assert.Equal("Bob Caller", parsed.Headers["X-VoiceMessageSenderName"]);

        var mixed = Assert.IsType<Multipart>(parsed.Body);
        Assert.Equal("mixed", mixed.ContentType.MediaSubtype);
        Assert.Equal(2, mixed.Count);
        var text = Assert.IsType<TextPart>(mixed[0]);
        Assert.True(text.IsPlain);
        Assert.Contains("5551234", text.Text);
        Assert.Contains("Called extension:  1234", text.Text);
        Assert.Contains("2025-03-04 10:20:30 +01:00", text.Text);
        Assert.Contains("0:12", text.Text);

        var audio = Assert.IsType<MimePart>(mixed[1]);
        Assert.Equal("audio/wav", audio.ContentType.MimeType);
        Assert.Equal(ContentEncoding.Base64, audio.ContentTransferEncoding);
        Assert.True(audio.IsAttachment);
        Assert.Equal("voicemail-20250304T092030Z.wav", audio.FileName);
        Assert.Equal(fixture.WavBytes, Decode(audio));
    }

    [Fact]
    public void AttachmentIsStreamedFromTheFile()
    {
        using var fixture = new Fixture();
        using var composed = VoiceMessageComposer.Compose(fixture.Message(), "vm@example.com");
        var audio = (MimePart)((Multipart)composed.Body!).Last();
        var stream = Assert.IsType<FileStream>(audio.Content!.Stream);
        Assert.Equal(fixture.WavPath, stream.Name);
    }

    [Fact]
    public void MessageIdIsStableAndDistinctPerCall()
    {
        Assert.Equal(VoiceMessageComposer.MessageIdFor("abc"), VoiceMessageComposer.MessageIdFor("abc"));
        Assert.NotEqual(VoiceMessageComposer.MessageIdFor("abc"), VoiceMessageComposer.MessageIdFor("abd"));
        Assert.Matches("^[0-9a-f]{32}@openum$", VoiceMessageComposer.MessageIdFor("weird <id>\r\n"));
    }

    [Fact]
    public void CallerWithoutNameOrNumber()
    {
        using var fixture = new Fixture();
        using var named = VoiceMessageComposer.Compose(fixture.Message(callerName: null), "vm@example.com");
        Assert.Equal("5551234", ((MailboxAddress)named.From[0]).Name);
        Assert.Equal("Voice mail from 5551234 (0:12)", named.Subject);

        using var anonymous = VoiceMessageComposer.Compose(fixture.Message(callerId: "", callerName: null), "vm@example.com");
        var parsed = RoundTrip(anonymous);
        Assert.Equal("Caller", ((MailboxAddress)parsed.From[0]).Name);
        Assert.Equal("Voice mail from an unknown caller (0:12)", parsed.Subject);
        Assert.Null(parsed.Headers[VoiceMessageComposer.CallerIdHeader]!);
        Assert.Null(parsed.Headers["X-VoiceMessageSenderName"]);
    }

    [Fact]
    public void CallerControlledValuesCannotInjectHeaders()
    {
        using var fixture = new Fixture();
        var hostile = fixture.Message(callerId: "555\r\nBcc: victim@example.com", callerName: "Eve\r\nX-Injected: 1");
        var parsed = RoundTrip(VoiceMessageComposer.Compose(hostile, "vm@example.com"));
        Assert.Empty(parsed.Bcc);
        Assert.Null(parsed.Headers["X-Injected"]);
        Assert.DoesNotContain('\n', parsed.Headers[VoiceMessageComposer.CallerIdHeader]!);
        Assert.StartsWith("555", parsed.Headers[VoiceMessageComposer.CallerIdHeader]!);
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(12, "0:12")]
    [InlineData(65, "1:05")]
    [InlineData(3599, "59:59")]
    [InlineData(3725, "1:02:05")]
    public void DurationFormat(int seconds, string expected) => Assert.Equal(expected, VoiceMessageComposer.FormatDuration(seconds));

    [Fact]
    public void MissingRecordingIsReportedWithItsPath()
    {
        using var fixture = new Fixture();
        var message = fixture.Message() with { AudioPath = Path.Combine(fixture.Directory, "gone.wav") };
        var ex = Assert.Throws<FileNotFoundException>(() => VoiceMessageComposer.Compose(message, "vm@example.com"));
        Assert.Contains("gone.wav", ex.Message);
    }
}
