using OpenUM.Delivery;
using OpenUM.Media.Audio;

namespace OpenUM.Cli.Tests;

/// <summary>`play-on-phone` on a secured dial plan calls as this server over mutual TLS: without a certificate it says so and calls nobody.</summary>
public sealed class SecurePlayOnPhoneCliTests : IDisposable
{
    private const string Address = "user1000@example.test";
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-secure-pop-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    [Fact]
    public async Task SecuredDialPlanWithoutACertificateNamesWhatIsMissing()
    {
        Assert.Equal(0, Run("dialplan", "new", "--name", "Secure", "--number-of-digits-in-extension", "4", "--voip-security", "SipSecured").Code);
        Assert.Equal(0, Run("gateway", "new", "--name", "gw1", "--address", "gw1.example.test", "--dial-plan", "Secure").Code);
        Assert.Equal(0, Run("mailbox", "new", "--extension", "1000", "--dial-plan", "Secure", "--email", Address).Code);
        string wav = Path.Combine(_data, "audio.wav");
        using (var writer = new WavWriter(wav))
        {
            writer.Write(AudioClip.Tone(440, TimeSpan.FromMilliseconds(300)).Samples.Span);
            writer.Complete();
        }
        var at = DateTimeOffset.Parse("2026-01-01T10:00:00Z");
        string id = Path.GetFileName(await new MaildirSink(Path.Combine(_data, "maildir"))
            .DeliverAsync(new VoiceMessage(Address, "", "5551234", null, "1000", at, TimeSpan.FromSeconds(1), wav, "c1"), CancellationToken.None));

        var (code, _, err) = Run("mailbox", "play-on-phone", "--dial-plan", "Secure", "--extension", "1000", "--message", id, "--phone", "1001");
        Assert.Equal(1, code);
        Assert.Contains("dial plan 'Secure' is SipSecured and Play on Phone calls its gateway over mutual TLS", err, StringComparison.Ordinal);
        Assert.Contains("no usable certificate", err, StringComparison.Ordinal);
        Assert.Contains("openum cert import", err, StringComparison.Ordinal);
    }
}
