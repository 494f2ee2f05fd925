using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// What a recording call costs in memory: a reorder slot's buffer is taken from the shared pool only while a packet
// waits in it, and goes back once that packet is written.
public sealed class RecorderMemoryTests
{
    private static readonly RecordingLimits Long = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), '#');

    [Fact]
    public void InOrderAudioNeedsNoReorderBuffer()
    {
        using var file = new MemoryStream();
        var recorder = new Recorder("memory.wav", new WavWriter(file), Long, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        var frame = Enumerable.Repeat((short)4000, 160).ToArray();
        for (uint k = 0; k < 20; k++) // 400 ms: within the clock's jitter allowance when written at once
            recorder.OnAudio(7, 160 * k, frame, TimeProvider.System.GetTimestamp());
        recorder.Finish();

        Assert.Equal(0, recorder.SlotBuffers);
        Assert.Equal(TimeSpan.FromMilliseconds(400), recorder.Duration);
    }

    [Fact]
    public void APacketAheadOfTheGapTakesOneBufferAndIsStillWrittenInOrder()
    {
        using var file = new MemoryStream();
        var recorder = new Recorder("memory.wav", new WavWriter(file), Long, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        short[] Frame(int k) => Enumerable.Repeat((short)(1000 * (k + 1)), 160).ToArray();
        long now = TimeProvider.System.GetTimestamp();
        recorder.OnAudio(7, 0, Frame(0), now);
        recorder.OnAudio(7, 320, Frame(2), now); // ahead: held until packet 1 arrives
        recorder.OnAudio(7, 160, Frame(1), now);
        recorder.Finish();

        Assert.Equal(1, recorder.SlotBuffers);
        Assert.Equal(0, recorder.HeldBuffers);
        file.Position = 0;
        var samples = AudioClip.FromWav(file).Samples.ToArray();
        Assert.Equal(Frame(0).Concat(Frame(1)).Concat(Frame(2)).ToArray(), samples);
    }

    [Fact]
    public void AHeldBufferGoesBackOnceTheGapClosesNotWhenTheRecordingEnds()
    {
        using var file = new MemoryStream();
        var recorder = new Recorder("memory.wav", new WavWriter(file), Long, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        var frame = Enumerable.Repeat((short)4000, 160).ToArray();
        long now = TimeProvider.System.GetTimestamp();
        recorder.OnAudio(7, 0, frame, now);
        recorder.OnAudio(7, 320, frame, now); // packet 1 is missing: packet 2 waits
        Assert.Equal(1, recorder.HeldBuffers);
        recorder.OnAudio(7, 160, frame, now); // the gap closes: both written, the buffer returned
        Assert.Equal(0, recorder.HeldBuffers);
        for (uint k = 3; k < 10; k++)
            recorder.OnAudio(7, 160 * k, frame, now);
        Assert.Equal(0, recorder.HeldBuffers);
        Assert.Equal(1, recorder.SlotBuffers);

        recorder.OnAudio(7, 160 * 12, frame, now); // another gap, still open when the recording is abandoned
        Assert.Equal(1, recorder.HeldBuffers);
        recorder.Abandon();
        Assert.Equal(0, recorder.HeldBuffers);
    }

    [Fact]
    public void TheLargestPacketWaitsInTwoKibAndIsWrittenWhole()
    {
        using var file = new MemoryStream();
        var recorder = new Recorder("memory.wav", new WavWriter(file), Long, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        int largest = RtpReceiver.MaxAudioPayload; // two 40 ms frames
        short[] Packet(int k) => Enumerable.Range(0, largest).Select(i => (short)(100 * k + i % 50)).ToArray();
        long now = TimeProvider.System.GetTimestamp();
        recorder.OnAudio(7, 0, Packet(0), now);
        recorder.OnAudio(7, (uint)(2 * largest), Packet(2), now); // ahead: waits for packet 1
        Assert.Equal(1, recorder.HeldBuffers);
        Assert.InRange(recorder.HeldBufferBytes, 2 * largest, 2048); // was 8 KiB per held packet
        recorder.OnAudio(7, (uint)largest, Packet(1), now);
        recorder.Finish();

        file.Position = 0;
        Assert.Equal(Packet(0).Concat(Packet(1)).Concat(Packet(2)).ToArray(), AudioClip.FromWav(file).Samples.ToArray());
    }
}
