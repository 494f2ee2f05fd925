using MimeKit;
using OpenUM.Delivery.Spool;

namespace OpenUM.Delivery.Tests;

// A crash at every durable step of one message's way through the spool and into the maildir, simulated by copying the
// disk at that step and starting a new spool on the copy: the message is then delivered exactly once, never lost and
// never twice, and nothing is left behind in the spool or in the maildir's tmp/.
public sealed class SpoolCrashTests : IDisposable
{
    private readonly Fixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static VoiceMessageSpool Spool(string root, Action<string>? checkpoint, out MaildirSink maildir)
    {
        maildir = new MaildirSink(Path.Combine(root, "maildir")) { Checkpoint = checkpoint };
        return new VoiceMessageSpool(Path.Combine(root, "spool"), maildir, new FakeLogger()) { Checkpoint = checkpoint };
    }

    // One message, complete, handed over and delivered; every checkpoint reached is reported.
    private async Task RunOneMessageAsync(string root, Action<string> checkpoint)
    {
        await using var spool = Spool(root, checkpoint, out _);
        var recording = await spool.BeginAsync(_fx.Message() with { Duration = TimeSpan.Zero, AudioPath = "" });
        File.Copy(_fx.WavPath, recording.AudioPath);
        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.FromSeconds(1.5)), CancellationToken.None);
    }

    [Fact]
    public async Task ACrashAtAnyStepDeliversTheMessageExactlyOnce()
    {
        var steps = new List<string>();
        await RunOneMessageAsync(Path.Combine(_fx.Directory, "probe"), steps.Add);
        Assert.Equal(["entry-written:Recording", "described", "entry-written:Recorded", "handed-over", "maildir-tmp-written", "delivered", "audio-removed"],
            steps);

        for (int crashAt = 0; crashAt < steps.Count; crashAt++)
        {
            string live = Path.Combine(_fx.Directory, $"live{crashAt}"), disk = Path.Combine(_fx.Directory, $"crash{crashAt}");
            int reached = 0;
            await RunOneMessageAsync(live, step =>
            {
                if (reached++ == crashAt) Copy(live, disk);
            });

            // The server starts again on what the disk held at that step.
            await using (var restarted = Spool(disk, null, out var maildir))
                await restarted.RetryPendingAsync(CancellationToken.None);

            string mailbox = Path.Combine(disk, "maildir", "alice@example.com");
            string[] delivered = System.IO.Directory.Exists(Path.Combine(mailbox, "new")) ? System.IO.Directory.GetFiles(Path.Combine(mailbox, "new")) : [];
            string step = steps[crashAt];
            // Before its description is on disk the recording had not begun: there is nothing to deliver.
            int expected = step == "entry-written:Recording" ? 0 : 1;
            Assert.True(delivered.Length == expected, $"crash at '{step}': {delivered.Length} messages delivered, expected {expected}");
            Assert.True(System.IO.Directory.GetFiles(Path.Combine(disk, "spool")).Length == 0, $"crash at '{step}': files left in the spool");
            if (System.IO.Directory.Exists(Path.Combine(mailbox, "tmp")))
                Assert.True(System.IO.Directory.GetFiles(Path.Combine(mailbox, "tmp")).Length == 0, $"crash at '{step}': files left in tmp/");
            if (expected == 1)
            {
                using var mime = await MimeMessage.LoadAsync(delivered[0]);
                // Before the hand-over the restarted spool cannot know the recording ended: it says it was interrupted.
                bool interrupted = step is "described" or "entry-written:Recorded";
                Assert.True(interrupted == mime.Headers.Contains(VoiceMessageComposer.TruncatedHeader),
                    $"crash at '{step}': {VoiceMessageComposer.TruncatedHeader} is '{mime.Headers[VoiceMessageComposer.TruncatedHeader]}'");
            }
        }
    }

    private static void Copy(string from, string to)
    {
        foreach (var dir in System.IO.Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            System.IO.Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
