using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// A disk that fills up in the middle of a recording: what landed is kept with a header that says so, the recording
// stops as WriteFailed instead of throwing, and no file stays open.
public sealed class RecordingWriteFailureTests : IDisposable
{
    private const int Enospc = 28; // the errno .NET puts into IOException.HResult on Linux
    private static readonly RecordingLimits Long = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), '#');
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-recfail-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static short[] Packet(int k) => Enumerable.Range(0, 160).Select(i => (short)(k * 7 + i)).ToArray();

    [Fact]
    public void AWriterThatRunsOutOfSpaceKeepsWhatLandedWithAValidHeader()
    {
        // Room for the header and 14,978 samples: the second 16 KB write of the writer lands only in part.
        using var disk = new FullDiskStream(capacity: 30_000);
        var writer = new WavWriter(disk);
        var sent = new List<short>();
        IOException? thrown = null;
        for (int k = 0; k < 200 && thrown is null; k++)
        {
            try
            {
                writer.Write(Packet(k));
                sent.AddRange(Packet(k));
            }
            catch (IOException e)
            {
                thrown = e;
                sent.AddRange(Packet(k));
            }
        }
        Assert.NotNull(thrown);
        Assert.Equal(Enospc, thrown!.HResult);
        Assert.Same(thrown, writer.Failure);
        Assert.Equal((30_000 - 44) / 2, writer.SamplesWritten);
        Assert.Throws<InvalidOperationException>(() => writer.Write(Packet(0)));
        writer.Dispose(); // never throws for the write error

        var clip = AudioClip.FromWav(new MemoryStream(disk.ToArray()));
        Assert.Equal(sent.Take((30_000 - 44) / 2).ToArray(), clip.Samples.ToArray());
        Assert.Equal((uint)(30_000 - 44), BitConverter.ToUInt32(disk.ToArray(), 40)); // the header's data size is the truth
    }

    [Fact]
    public async Task ARecorderWhoseDiskFillsStopsWithWriteFailedAndKeepsTheAudio()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var disk = new FullDiskStream(capacity: 44 + 2 * 8000 * 3 + 100); // three seconds and a bit
        var recorder = new Recorder("test.wav", new WavWriter(disk), Long, time, NullLogger.Instance);
        recorder.Start();
        int k = 0;
        for (; k < 500 && !recorder.Stopped.IsCompleted; k++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            recorder.OnAudio(1, (uint)(160 * k), Packet(k), time.GetTimestamp());
        }
        Assert.True(recorder.Stopped.IsCompletedSuccessfully, "the write error must end the recording, not fault it");
        Assert.Equal(RecordingStopReason.WriteFailed, await recorder.Stopped);
        // Packets after the failure are ignored, and Finish neither throws nor writes.
        recorder.OnAudio(1, (uint)(160 * k), Packet(k), time.GetTimestamp());
        recorder.Finish();

        Assert.Equal(Enospc, recorder.WriteError?.HResult);
        long kept = (44 + 2 * 8000 * 3 + 100 - 44) / 2;
        Assert.Equal(TimeSpan.FromSeconds(kept / 8000.0), recorder.Duration);
        var samples = AudioClip.FromWav(new MemoryStream(disk.ToArray())).Samples.ToArray();
        var expected = Enumerable.Range(0, k).SelectMany(Packet).Take((int)kept).ToArray();
        Assert.Equal(expected, samples);
    }

    [Fact]
    public void AFailureAtTheLastFlushIsAWriteFailureToo()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        // Everything fits in the writer's buffer: the disk is found full only when the recording is finished.
        using var disk = new FullDiskStream(capacity: 44 + 2 * 400);
        var recorder = new Recorder("test.wav", new WavWriter(disk), Long, time, NullLogger.Instance);
        recorder.Start();
        for (int k = 0; k < 10; k++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            recorder.OnAudio(1, (uint)(160 * k), Packet(k), time.GetTimestamp());
        }
        recorder.RequestStop(RecordingStopReason.Cancelled);
        recorder.Finish();

        Assert.Equal(Enospc, recorder.WriteError?.HResult);
        Assert.Equal(TimeSpan.FromMilliseconds(50), recorder.Duration); // 400 samples landed
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(Packet).Take(400).ToArray(),
            AudioClip.FromWav(new MemoryStream(disk.ToArray())).Samples.ToArray());
    }

    [Theory]
    [InlineData(28, "no space left on device")]     // ENOSPC
    [InlineData(122, "disk quota exceeded")]        // EDQUOT
    [InlineData(30, "read-only file system")]       // EROFS (a remount after a filesystem error)
    [InlineData(5, "input/output error")]           // EIO
    [InlineData(1234, "write error")]
    public void AWriteErrorIsDescribedWithoutThePath(int errno, string expected)
    {
        var error = new IOException("Disk error while writing '/var/lib/openum/spool/secret-name.wav'", errno);
        Assert.Equal(expected, RecordingWriteError.Describe(error));
    }

    [Fact]
    public void AFinishedRecordingLeavesNoFileOpen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        string path = Path.Combine(_dir, "closed.wav");
        var recorder = new Recorder(path, Long, time, NullLogger.Instance);
        recorder.Start();
        for (int k = 0; k < 100; k++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            recorder.OnAudio(1, (uint)(160 * k), Packet(k), time.GetTimestamp());
        }
        Assert.Contains(path, OpenFiles());
        recorder.RequestStop(RecordingStopReason.StopDigit);
        recorder.Finish();

        Assert.DoesNotContain(path, OpenFiles());
        Assert.Equal(16000, AudioClip.FromWavFile(path).Samples.Length);
    }

    [Fact]
    public void AnAbandonedRecordingLeavesNoFileOpen()
    {
        string path = Path.Combine(_dir, "abandoned.wav");
        var recorder = new Recorder(path, Long, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        recorder.OnAudio(1, 0, Packet(0), TimeProvider.System.GetTimestamp());
        recorder.Abandon();
        Assert.DoesNotContain(path, OpenFiles());
    }

    // What this process holds open, by path (Linux: the targets of /proc/self/fd).
    private static List<string> OpenFiles()
    {
        var files = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
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

    /// <summary>A disk of <c>capacity</c> bytes: a write that does not fit lands in part, then fails as write(2) does (ENOSPC).</summary>
    private sealed class FullDiskStream(long capacity) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            long room = Math.Max(0, capacity - Position);
            if (count <= room)
            {
                base.Write(buffer, offset, count);
                return;
            }
            base.Write(buffer, offset, (int)room);
            throw new IOException("No space left on device", Enospc);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var copy = buffer.ToArray();
            Write(copy, 0, copy.Length);
        }
    }
}
