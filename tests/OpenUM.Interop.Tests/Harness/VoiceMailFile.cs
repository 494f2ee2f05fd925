using MimeKit;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>A delivered maildir file: parsed MIME, checked headers, the WAV attachment extracted to disk.</summary>
public sealed class VoiceMailFile
{
    private VoiceMailFile(string path, MimeMessage message, string wavPath)
    {
        Path = path;
        Message = message;
        WavPath = wavPath;
    }

    /// <summary>The maildir file.</summary>
    public string Path { get; }

    /// <summary>Parsed message.</summary>
    public MimeMessage Message { get; }

    /// <summary>The attachment, written next to the test's temp files.</summary>
    public string WavPath { get; }

    /// <summary>
    /// Parses <paramref name="path"/> and asserts the voice-message shape: addressed to
    /// <paramref name="recipient"/>, From/Subject/Date/Message-Id present, exactly one audio/wav attachment.
    /// </summary>
    public static VoiceMailFile Open(string path, string recipient, string extractDir)
    {
        MimeMessage message;
        try
        {
            message = MimeMessage.Load(path);
        }
        catch (FormatException e)
        {
            throw new Xunit.Sdk.XunitException($"{path} is not a valid MIME message: {e.Message}\n{Head(path)}");
        }
        string where = $"{path}:\n{Head(path)}";
        Assert.True(message.To.Mailboxes.Any(m => string.Equals(m.Address, recipient, StringComparison.OrdinalIgnoreCase)),
            $"To does not name {recipient}: '{message.To}' in {where}");
        Assert.True(message.From.Mailboxes.Any(m => m.Address.Contains('@')), $"no From address in {where}");
        Assert.False(string.IsNullOrWhiteSpace(message.Subject), $"no Subject in {where}");
        Assert.True(message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue, $"no Date in {where}");
        Assert.False(string.IsNullOrWhiteSpace(message.MessageId), $"no Message-Id in {where}");
        Assert.True(message.Headers.Contains(HeaderId.MimeVersion), $"no MIME-Version in {where}");

        var audio = message.BodyParts.OfType<MimePart>().Where(p => p.ContentType.MediaType == "audio").ToList();
        Assert.True(audio.Count == 1, $"{audio.Count} audio parts (expected 1) in {where}");
        var part = audio[0];
        Assert.True(part.ContentType.MimeType == "audio/wav", $"attachment type {part.ContentType.MimeType}, expected audio/wav, in {where}");
        Assert.True(part.IsAttachment, $"the audio part is not an attachment (Content-Disposition) in {where}");
        Assert.True(part.FileName?.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) == true,
            $"attachment file name '{part.FileName}' does not end in .wav in {where}");

        Assert.True(part.Content is not null, $"the audio attachment is empty in {where}");
        string wav = System.IO.Path.Combine(extractDir, System.IO.Path.GetFileName(path) + ".wav");
        using (var output = File.Create(wav))
            part.Content!.DecodeTo(output);
        return new VoiceMailFile(path, message, wav);
    }

    private static string Head(string path)
    {
        string text = File.ReadAllText(path);
        return text.Length <= 1500 ? text : text[..1500] + "\n...";
    }
}
