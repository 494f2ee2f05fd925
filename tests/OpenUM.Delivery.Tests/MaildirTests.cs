using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace OpenUM.Delivery.Tests;

public class MaildirTests
{
    [Fact]
    public async Task DeliversIntoNewOnlyAndTheFileParses()
    {
        using var fixture = new Fixture();
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 9, 20, 30, TimeSpan.Zero).AddTicks(1234560));
        var sink = new MaildirSink(fixture.MaildirRoot, "vm@example.com", time);

        var path = await sink.DeliverAsync(fixture.Message("Alice@Example.com"), CancellationToken.None);

        var folder = Path.Combine(fixture.MaildirRoot, "alice@example.com");
        Assert.Equal(Path.Combine(folder, "new"), Path.GetDirectoryName(path));
        Assert.True(System.IO.Directory.Exists(Path.Combine(folder, "cur")));
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(folder, "tmp")));
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(folder, "cur")));
        Assert.Equal([path], System.IO.Directory.GetFiles(Path.Combine(folder, "new")));
        Assert.Matches($@"^{time.GetUtcNow().ToUnixTimeSeconds()}\.M123456P{Environment.ProcessId}Q\d+\.[A-Za-z0-9._\\-]+$", Path.GetFileName(path));

        var parsed = await MimeMessage.LoadAsync(path);
        Assert.Equal("Voice mail from Bob Caller (5551234) (0:12)", parsed.Subject);
        var audio = (MimePart)((Multipart)parsed.Body!)[1];
        using var decoded = new MemoryStream();
        await audio.Content!.DecodeToAsync(decoded);
        Assert.Equal(fixture.WavBytes, decoded.ToArray());

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        }
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData(".hidden@example.com")]
    [InlineData("a\\b@example.com")]
    [InlineData("a\nb@example.com")]
    [InlineData("a b@example.com")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public async Task HostileRecipientIsRefusedAndNothingIsWritten(string recipient)
    {
        using var fixture = new Fixture();
        var sink = new MaildirSink(fixture.MaildirRoot);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => sink.DeliverAsync(fixture.Message(recipient), CancellationToken.None));
        Assert.Contains("recipient address", ex.Message);
        Assert.False(System.IO.Directory.Exists(fixture.MaildirRoot));
        Assert.Equal(["recording.wav"], System.IO.Directory.GetFileSystemEntries(fixture.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ConcurrentDeliveriesProduceDistinctFiles()
    {
        using var fixture = new Fixture();
        var sink = new MaildirSink(fixture.MaildirRoot, "vm@example.com", new FakeTimeProvider());
        const int count = 24;
        var paths = await Task.WhenAll(Enumerable.Range(0, count)
            .Select(_ => Task.Run(() => sink.DeliverAsync(fixture.Message(), CancellationToken.None))));

        Assert.Equal(count, paths.Distinct().Count());
        var folder = Path.Combine(fixture.MaildirRoot, "alice@example.com");
        Assert.Equal(count, System.IO.Directory.GetFiles(Path.Combine(folder, "new")).Length);
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(folder, "tmp")));
    }

    [Fact]
    public async Task CancelledDeliveryLeavesNoFile()
    {
        using var fixture = new Fixture();
        var sink = new MaildirSink(fixture.MaildirRoot);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.DeliverAsync(fixture.Message(), cancelled.Token));

        var folder = Path.Combine(fixture.MaildirRoot, "alice@example.com");
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(folder, "tmp")));
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(folder, "new")));
    }

    [Fact]
    public async Task MissingRecordingWritesNothing()
    {
        using var fixture = new Fixture();
        var sink = new MaildirSink(fixture.MaildirRoot);
        var message = fixture.Message() with { AudioPath = Path.Combine(fixture.Directory, "gone.wav") };
        await Assert.ThrowsAsync<FileNotFoundException>(() => sink.DeliverAsync(message, CancellationToken.None));
        Assert.False(System.IO.Directory.Exists(Path.Combine(fixture.MaildirRoot, "alice@example.com", "new"))
            && System.IO.Directory.GetFiles(Path.Combine(fixture.MaildirRoot, "alice@example.com", "new")).Length > 0);
    }
}

public class DirectorySyncTests
{
    [Fact]
    public void FlushesAnExistingDirectoryAndReportsAMissingOne()
    {
        using var fixture = new Fixture();
        DirectorySync.Flush(fixture.Directory);
        if (!OperatingSystem.IsWindows())
        {
            var ex = Assert.Throws<IOException>(() => DirectorySync.Flush(Path.Combine(fixture.Directory, "missing")));
            Assert.Contains("missing", ex.Message);
        }
    }
}
