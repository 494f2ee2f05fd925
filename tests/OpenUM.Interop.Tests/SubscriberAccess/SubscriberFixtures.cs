using System.Globalization;
using OpenUM.Delivery;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.SubscriberAccess;

/// <summary>Shared set-up of the subscriber access and Play on Phone tests.</summary>
internal static class SubscriberFixtures
{
    /// <summary>A PIN the default mailbox policy accepts (6 digits, no repeat or run).</summary>
    public const string Pin = "418527";

    /// <summary>Caller ID of the planted message.</summary>
    public const string CallerId = "5551234";

    /// <summary>Sets the mailbox's PIN through the CLI (from a file: PINs never go on a command line).</summary>
    public static async Task SetPinAsync(OpenUmProcess um, string extension = "1000")
    {
        string file = Path.Combine(um.DataDir, "pin.txt");
        await File.WriteAllTextAsync(file, Pin + "\n");
        await um.CliOkAsync("mailbox", "set-pin", "--dial-plan", "Test", "--extension", extension, "--pin-file", file);
        File.Delete(file);
    }

    /// <summary>
    /// Puts a voice message with a known spoken WAV into the mailbox's local maildir (new/), the way the
    /// server's own delivery does; returns its maildir id.
    /// </summary>
    public static async Task<string> PlantMessageAsync(OpenUmProcess um, string wavPath, string callerId = CallerId)
    {
        var sink = new MaildirSink(Path.Combine(um.DataDir, "maildir"));
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        string path = await sink.DeliverAsync(new VoiceMessage(OpenUmProcess.MailboxAddress, "User 1000", callerId, "Interop Caller", "1000",
            at, TimeSpan.FromSeconds(8), wavPath, "planted-" + at.Ticks.ToString(CultureInfo.InvariantCulture)), CancellationToken.None);
        return Path.GetFileName(path);
    }
}
