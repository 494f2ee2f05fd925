using System.Buffers.Binary;
using System.Text.Json;
using MimeKit;
using OpenUM.Delivery.Spool;

namespace OpenUM.Delivery.Tests;

// The spool between a call and delivery: the description is on disk before the audio, a recording cut short is
// delivered marked incomplete, a message the sink cannot take now waits and is retried, and nothing is dropped in
// silence (orphans from an older version or a crash are delivered; a loss is an event).
public sealed class SpoolTests : IDisposable
{
    private const int Enospc = 28;
    private readonly Fixture _fx = new();
    private readonly FakeLogger _events = new();

    public void Dispose() => _fx.Dispose();

    private string SpoolDir => Path.Combine(_fx.Directory, "spool");

    private VoiceMessageSpool NewSpool(IVoiceMessageSink sink, TimeSpan? retry = null, string? orphanRecipient = null) =>
        new(SpoolDir, sink, _events, retry, orphanRecipient: orphanRecipient);

    private MaildirSink Maildir() => new(_fx.MaildirRoot);

    private VoiceMessage Description() => _fx.Message() with { Duration = TimeSpan.Zero, AudioPath = "" };

    private string[] Delivered(string recipient = "alice@example.com")
    {
        var folder = Path.Combine(_fx.MaildirRoot, recipient, "new");
        return System.IO.Directory.Exists(folder) ? System.IO.Directory.GetFiles(folder) : [];
    }

    private string[] SpoolFiles() => System.IO.Directory.GetFiles(SpoolDir).Select(Path.GetFileName).Order().ToArray()!;

    [Fact]
    public async Task TheDescriptionIsOnDiskBeforeAnyAudio()
    {
        await using var spool = NewSpool(Maildir());
        var recording = await spool.BeginAsync(Description());

        Assert.Equal(SpoolDir, Path.GetDirectoryName(recording.AudioPath));
        Assert.False(File.Exists(recording.AudioPath));
        var json = Path.ChangeExtension(recording.AudioPath, ".json");
        using var entry = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal("Recording", entry.RootElement.GetProperty("State").GetString());
        var message = entry.RootElement.GetProperty("Message");
        Assert.Equal("alice@example.com", message.GetProperty("RecipientAddress").GetString());
        Assert.Equal("5551234", message.GetProperty("CallerId").GetString());
        Assert.Equal([Path.GetFileName(json)], SpoolFiles());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(json));
    }

    [Fact]
    public async Task ACompleteRecordingIsDeliveredAndLeavesNothingInTheSpool()
    {
        await using var spool = NewSpool(Maildir());
        var recording = await spool.BeginAsync(Description());
        File.Copy(_fx.WavPath, recording.AudioPath);

        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.FromSeconds(1.5)), CancellationToken.None);

        var file = Assert.Single(Delivered());
        using var mime = await MimeMessage.LoadAsync(file);
        Assert.Null(mime.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Single(mime.Attachments);
        Assert.Empty(SpoolFiles());
        Assert.Contains(_events.Collector.GetSnapshot(), e => e.Id.Id == 2001);
        Assert.DoesNotContain(_events.Collector.GetSnapshot(), e => e.Id.Id is 2064 or 2065 or 2066);
    }

    [Fact]
    public async Task ACallerWhoHangsUpAtTheBeepLeavesNoMessageAndNoFile()
    {
        await using var spool = NewSpool(Maildir());
        var recording = await spool.BeginAsync(Description());

        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.Zero), CancellationToken.None);

        Assert.Empty(SpoolFiles());
        Assert.Empty(Delivered());
    }

    [Fact]
    public async Task ARecordingCutShortKeepsItsAudioWithAHeaderFixedToItsLength()
    {
        await using var spool = NewSpool(Maildir());
        var recording = await spool.BeginAsync(Description());
        // What a write(2) cut short by a full disk leaves: the provisional header (data size 0) and 3,001 bytes of audio.
        var audio = _fx.WavBytes.AsSpan(44, 3001).ToArray();
        var header = _fx.WavBytes[..44];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 36);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), 0);
        File.WriteAllBytes(recording.AudioPath, [.. header, .. audio]);

        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.FromSeconds(0.1), "write failed after 0.1 s (no space left on device)"),
            CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered()));
        Assert.Equal("write failed after 0.1 s (no space left on device)", mime.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Contains("This message is incomplete: write failed after 0.1 s (no space left on device).", mime.TextBody);
        Assert.Contains("What was recorded before that is attached.", mime.TextBody);
        var part = Assert.IsType<MimePart>(Assert.Single(mime.Attachments));
        using var wav = new MemoryStream();
        await part.Content!.DecodeToAsync(wav);
        var bytes = wav.ToArray();
        Assert.Equal(44 + 3000, bytes.Length);
        Assert.Equal(3000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(36u + 3000, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(audio[..3000], bytes[44..]);
        Assert.Contains(_events.Collector.GetSnapshot(), e => e.Id.Id == 2064 && e.Message.Contains("no space left on device", StringComparison.Ordinal));
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task ARecordingWhoseFileCouldNotBeCreatedIsStillDeliveredSayingSo()
    {
        await using var spool = NewSpool(Maildir());
        var recording = await spool.BeginAsync(Description());

        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.Zero, "read-only file system"), CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered()));
        Assert.Equal("read-only file system", mime.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Contains("None of the recording could be saved.", mime.TextBody);
        Assert.Empty(mime.Attachments);
        Assert.Contains("5551234", mime.Subject);
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task AMessageTheSinkCannotTakeWaitsInTheSpoolAndIsDeliveredWhenItRecovers()
    {
        var sink = new FailingSink(Maildir());
        await using var spool = NewSpool(sink);
        int storageFailures = 0;
        spool.StorageFailed += () => storageFailures++;
        var recording = await spool.BeginAsync(Description());
        File.Copy(_fx.WavPath, recording.AudioPath);

        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.FromSeconds(1.5)), CancellationToken.None);
        await spool.RetryPendingAsync(CancellationToken.None); // still failing: still one event for the cause
        Assert.Equal(2, storageFailures); // each failed attempt tells whoever watches the disk

        Assert.Empty(Delivered());
        Assert.Equal(1, spool.PendingCount);
        Assert.Contains(Path.GetFileName(recording.AudioPath), SpoolFiles());
        Assert.Single(_events.Collector.GetSnapshot(), e => e.Id.Id == 2065 && e.Message.Contains("no space left on device", StringComparison.Ordinal));
        Assert.DoesNotContain(OpenFiles(), f => f.StartsWith(SpoolDir, StringComparison.Ordinal));

        sink.Failing = false;
        await spool.RetryPendingAsync(CancellationToken.None);

        Assert.Single(Delivered());
        Assert.Empty(SpoolFiles());
        Assert.Equal(0, spool.PendingCount);
        Assert.Contains(_events.Collector.GetSnapshot(), e => e.Id.Id == 2067 && e.Message.Contains("after 2 failed attempt(s)", StringComparison.Ordinal));
        Assert.DoesNotContain(_events.Collector.GetSnapshot(), e => e.Id.Id == 2001);
    }

    [Fact]
    public async Task TheRetryLoopRunsAtTheIntervalItWasGiven()
    {
        var sink = new FailingSink(Maildir());
        await using var spool = NewSpool(sink, retry: TimeSpan.FromMilliseconds(200));
        var recording = await spool.BeginAsync(Description());
        File.Copy(_fx.WavPath, recording.AudioPath);
        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.FromSeconds(1.5)), CancellationToken.None);
        spool.Start();
        Assert.Empty(Delivered());

        sink.Failing = false;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // hang guard, not a timing assertion
        while (Delivered().Length == 0)
            await Task.Delay(50, guard.Token);
        while (SpoolFiles().Length > 0)
            await Task.Delay(50, guard.Token);
        Assert.Contains(_events.Collector.GetSnapshot(), e => e.Id.Id == 2067);
    }

    [Fact]
    public async Task AMessageWaitingForSpaceLeavesWhenSpaceIsFreeNotAtTheNextInterval()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var sink = new FailingSink(Maildir());
        await using var spool = new VoiceMessageSpool(SpoolDir, sink, _events, TimeSpan.FromHours(1), time);
        spool.Start();
        var recording = await spool.BeginAsync(Description());
        File.Copy(_fx.WavPath, recording.AudioPath);
        // Handed over after the loop began its hour-long wait: the failure (ENOSPC) must still shorten that wait.
        await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.FromSeconds(1.5)), CancellationToken.None);
        Assert.Empty(Delivered());
        sink.Failing = false; // the temp directory has the room the message needs

        // At most 100 s of the hour pass (in 5 s steps, each given time to run); a hang guard, not a timing claim.
        for (int step = 0; step < 20 && Delivered().Length == 0; step++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (Delivered().Length == 0 && !guard.IsCancellationRequested)
                await Task.Delay(20);
        }
        Assert.Single(Delivered());
    }

    [Fact]
    public async Task AudioWithoutADescriptionFromAnOlderVersionGoesToThePostmasterMarkedIncomplete()
    {
        System.IO.Directory.CreateDirectory(SpoolDir);
        // The old spool named the audio by a hash and wrote the description only after the recording ended.
        var orphan = Path.Combine(SpoolDir, "0f3a9c2b7d1e4a5b6c7d8e9f.wav");
        File.Copy(_fx.WavPath, orphan);
        await using var spool = NewSpool(Maildir(), orphanRecipient: "postmaster@um.example.com");

        await spool.RetryPendingAsync(CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered("postmaster@um.example.com")));
        Assert.Contains("without a readable description", mime.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Single(mime.Attachments);
        Assert.Empty(SpoolFiles());
        Assert.Contains(_events.Collector.GetSnapshot(), e => e.Id.Id == 2069);
    }

    [Fact]
    public async Task AnUnreadableDescriptionWithAudioIsAnOrphanAndWithoutAudioIsKeptAndReportedOnce()
    {
        System.IO.Directory.CreateDirectory(SpoolDir);
        File.WriteAllText(Path.Combine(SpoolDir, "damaged.json"), "{\"State\":\"Rec");
        File.Copy(_fx.WavPath, Path.Combine(SpoolDir, "damaged.wav"));
        File.WriteAllText(Path.Combine(SpoolDir, "alone.json"), "null");
        await using var spool = NewSpool(Maildir(), orphanRecipient: "postmaster@um.example.com");

        await spool.RetryPendingAsync(CancellationToken.None);
        await spool.RetryPendingAsync(CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered("postmaster@um.example.com")));
        Assert.Single(mime.Attachments);
        Assert.Equal(["alone.json"], SpoolFiles());
        Assert.Single(_events.Collector.GetSnapshot(), e => e.Id.Id == 2004 && e.Message.Contains("alone.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAPostmasterAnOrphanIsKeptAndReportedOnce()
    {
        System.IO.Directory.CreateDirectory(SpoolDir);
        File.Copy(_fx.WavPath, Path.Combine(SpoolDir, "0f3a9c2b7d1e4a5b6c7d8e9f.wav"));
        await using var spool = NewSpool(Maildir());

        await spool.RetryPendingAsync(CancellationToken.None);
        await spool.RetryPendingAsync(CancellationToken.None);

        Assert.Equal(["0f3a9c2b7d1e4a5b6c7d8e9f.wav"], SpoolFiles());
        Assert.Single(_events.Collector.GetSnapshot(), e => e.Id.Id == 2004);
    }

    [Fact]
    public async Task ARecordingInterruptedByAStopIsDeliveredAtTheNextStartMarkedSo()
    {
        string audioPath;
        await using (var before = NewSpool(Maildir()))
        {
            var recording = await before.BeginAsync(Description());
            audioPath = recording.AudioPath;
            File.WriteAllBytes(audioPath, _fx.WavBytes[..(44 + 16000)]); // one second of the 1.5 s
            // The server stops here: no SubmitAsync.
        }
        await using var after = NewSpool(Maildir());

        await after.RetryPendingAsync(CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered()));
        Assert.Contains("interrupted", mime.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Equal("alice@example.com", Assert.Single(mime.To.Mailboxes).Address);
        Assert.Equal("1", mime.Headers[VoiceMessageComposer.DurationHeader]); // what the file holds, not the description
        Assert.Empty(SpoolFiles());
        Assert.False(File.Exists(audioPath));
    }

    [Fact]
    public async Task ADescriptionWithoutAudioIsDeliveredNotLeftForever()
    {
        await using (var before = NewSpool(Maildir()))
            await before.BeginAsync(Description());
        await using var after = NewSpool(Maildir());

        await after.RetryPendingAsync(CancellationToken.None);

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered()));
        Assert.Contains("None of the recording could be saved.", mime.TextBody);
        Assert.NotNull(mime.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Empty(SpoolFiles());
    }

    [Fact]
    public async Task AMessageWhoseDescriptionCouldNotBeWrittenIsDeliveredFromMemory()
    {
        var spool = NewSpool(Maildir());
        await using (spool)
        {
            // The spool directory becomes unusable (replaced by a file): no description, no audio can be written.
            System.IO.Directory.Delete(SpoolDir);
            File.WriteAllText(SpoolDir, "not a directory");
            var recording = await spool.BeginAsync(Description());
            Assert.Contains(_events.Collector.GetSnapshot(), e => e.Id.Id == 2068);

            await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.Zero, "the recording file could not be created"), CancellationToken.None);
        }

        using var mime = await MimeMessage.LoadAsync(Assert.Single(Delivered()));
        Assert.Contains("None of the recording could be saved.", mime.TextBody);
        Assert.DoesNotContain(_events.Collector.GetSnapshot(), e => e.Id.Id == 2066);
    }

    [Fact]
    public async Task AMessageNeitherWrittenNorDeliveredWhenTheServerStopsIsReportedLost()
    {
        var sink = new FailingSink(Maildir());
        await using (var spool = NewSpool(sink))
        {
            System.IO.Directory.Delete(SpoolDir);
            File.WriteAllText(SpoolDir, "not a directory");
            var recording = await spool.BeginAsync(Description());
            await spool.SubmitAsync(recording, new RecordingOutcome(TimeSpan.Zero, "the recording file could not be created"), CancellationToken.None);
            Assert.DoesNotContain(_events.Collector.GetSnapshot(), e => e.Id.Id == 2066);
        }

        var lost = Assert.Single(_events.Collector.GetSnapshot(), e => e.Id.Id == 2066);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Critical, lost.Level);
        Assert.Contains("alice@example.com", lost.Message);
        Assert.Contains("5551234", lost.Message);
        Assert.Contains("a84b4c76e66710@pc33.atlanta.example.com", lost.Message);
    }

    // What this process holds open, by path (Linux: the targets of /proc/self/fd).
    private static List<string> OpenFiles()
    {
        var files = new List<string>();
        if (!System.IO.Directory.Exists("/proc/self/fd")) return files;
        foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target) files.Add(target);
            }
            catch (IOException)
            {
                // closed while listing
            }
        }
        return files;
    }

    /// <summary>A sink that fails as a full disk does (ENOSPC) while <see cref="Failing"/>, then delivers.</summary>
    private sealed class FailingSink(IVoiceMessageSink inner) : IVoiceMessageSink
    {
        public volatile bool Failing = true;

        public Task<string> DeliverAsync(VoiceMessage message, CancellationToken ct) =>
            Failing ? throw new IOException("No space left on device", Enospc) : inner.DeliverAsync(message, ct);
    }
}
