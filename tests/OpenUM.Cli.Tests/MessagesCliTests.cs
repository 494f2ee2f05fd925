using System.Text.Json;
using OpenUM.Delivery;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Cli.Tests;

/// <summary>`openum mailbox messages` and the checks `play-on-phone` makes on the message before any call is placed.</summary>
public sealed class MessagesCliTests : IDisposable
{
    private const string Address = "user1000@example.test";
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-messages-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private void CreateMailbox()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Test", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Test", "--email", Address).Code);
    }

    private async Task<string> PlantAsync(string callerId, DateTimeOffset at)
    {
        string wav = Path.Combine(_data, $"audio-{at.ToUnixTimeSeconds()}.wav");
        using (var writer = new WavWriter(wav))
        {
            writer.Write(AudioClip.Tone(440, TimeSpan.FromMilliseconds(300)).Samples.Span);
            writer.Complete();
        }
        var message = new VoiceMessage(Address, "", callerId, null, "1000", at, TimeSpan.FromSeconds(3), wav, "c" + at.Ticks);
        return Path.GetFileName(await new MaildirSink(Path.Combine(_data, "maildir")).DeliverAsync(message, CancellationToken.None));
    }

    [Fact]
    public async Task MessagesListsTheLocalMaildirNewestFirst()
    {
        CreateMailbox();
        string older = await PlantAsync("5551234", DateTimeOffset.Parse("2026-01-01T10:00:00Z"));
        string newer = await PlantAsync("5559876", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        var (code, stdout, err) = Run("mailbox", "messages", "--dial-plan", "Test", "--extension", "1000", "--json");
        Assert.True(code == 0, err);
        var list = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal([newer, older], list.Select(m => m.GetProperty("id").GetString()));
        Assert.Equal("5559876", list[0].GetProperty("callerId").GetString());
        Assert.Equal("new", list[0].GetProperty("folder").GetString());
        Assert.Equal(3, list[0].GetProperty("durationSeconds").GetInt32());
    }

    [Fact]
    public void PlayOnPhoneOfAnUnknownMessageNamesTheOption()
    {
        CreateMailbox();
        var (code, _, err) = Run("mailbox", "play-on-phone", "--dial-plan", "Test", "--extension", "1000", "--message", "nope", "--phone", "0612345678");
        Assert.Equal(2, code);
        Assert.Contains("error: --message: mailbox 1000 has no message 'nope'", err);
    }

    [Fact]
    public void PlayOnPhoneOfAMessageWithoutAudioSaysSo()
    {
        CreateMailbox();
        string folder = Path.Combine(_data, "maildir", Address, "new");
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "1767225600.M1P1Q1.host"),
            "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nX-OpenUM-CallerId: 42\r\nX-OpenUM-CallId: no-audio@test\r\nContent-Type: text/plain\r\n\r\nno audio here\r\n");
        var (code, _, err) = Run("mailbox", "play-on-phone", "--dial-plan", "Test", "--extension", "1000", "--message", "1767225600.M1P1Q1.host",
            "--phone", "0612345678");
        Assert.Equal(2, code);
        Assert.Contains("error: --message: message '1767225600.M1P1Q1.host' has no playable WAV attachment", err);
    }
}
