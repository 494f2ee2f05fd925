using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

// What every call holds for its whole length: buffers sized to what can arrive, and none where one per thread or the
// stack will do (thousands of concurrent calls, issue 17's 64 KiB per call).
public sealed class CallMemoryTests : IDisposable
{
    private static readonly RecordingLimits Long = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5), '#');
    private readonly string _dir = Directory.CreateTempSubdirectory("openum-mem-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TheSendersAndReceiversOfACallHoldNoPacketBuffer()
    {
        var logger = NullLogger.Instance;
        await using var clock = new MediaClock(TimeProvider.System);
        await using var session = MediaSession.Open(IPAddress.Loopback, TestNet.Ports, clock, logger);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var security = new MediaSecurity(logger, 9000);
        var sessionLock = new Lock();
        _ = RtpSender.SendBuffer; // this thread's, made once

        long before = GC.GetAllocatedBytesForCurrentThread();
        var sender = new RtpSender(socket, 9000, sessionLock, security, clock, session, logger);
        long senderBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        var gate = new RtpSourceGate(AddressFamily.InterNetwork, 9000, sessionLock, sender, TimeProvider.System, logger);
        before = GC.GetAllocatedBytesForCurrentThread();
        _ = new RtpReceiver(9000, gate, security, TimeProvider.System, logger);
        long receiverBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        // Before: a 2 KiB send buffer per sender and a 4 KiB decode buffer per receiver.
        Assert.InRange(senderBytes, 1, 1024);
        Assert.InRange(receiverBytes, 1, 1024);
    }

    [Fact]
    public void AWavWriterHoldsFourKibAndWritesAtMostThatAtOnce()
    {
        using var file = new WriteCountingStream();
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var writer = new WavWriter(file);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        var second = new short[8000];
        writer.Write(second);
        writer.Complete();

        Assert.InRange(bytes, WavWriter.BufferSize, WavWriter.BufferSize + 512); // was 16 KiB
        Assert.Equal(4 * 1024, WavWriter.BufferSize);
        Assert.All(file.Writes, n => Assert.InRange(n, 1, WavWriter.BufferSize));
        Assert.Equal(3, file.Writes.Count(n => n == WavWriter.BufferSize)); // 16,044 bytes: three full buffers, then the rest
        Assert.Equal(44 + 16000, file.Length);
    }

    [Fact]
    public async Task TheLargestAcceptedAudioPacketIsRecordedWholeAndAFullBufferIsDropped()
    {
        // 40 ms packets: up to 640 bytes of G.711 are accepted, with 15 CSRCs and a header extension.
        await using var rig = await PacedRig.StartAsync(nextSeq: 100, ptime: 40);
        using var guard = TestNet.Guard();
        var path = Path.Combine(_dir, "largest.wav");
        var recording = rig.Session.RecordAsync(path, Long, guard.Token);

        int extensionWords = (RtpReceiver.RtpBufferSize - 1 - 12 - 60 - 4 - RtpReceiver.MaxAudioPayload) / 4;
        byte[] largest = Packet(seq: 100, ts: 0, csrcs: 15, extensionWords, payload: RtpReceiver.MaxAudioPayload);
        Assert.InRange(largest.Length, RtpReceiver.RtpBufferSize - 4, RtpReceiver.RtpBufferSize - 1);
        await rig.SendAsync(p => p.SendRaw(largest, rig.Port), TimeSpan.FromMilliseconds(80));

        byte[] full = Packet(seq: 101, ts: 640, csrcs: 15, extensionWords + 1, payload: RtpReceiver.MaxAudioPayload);
        Assert.True(full.Length >= RtpReceiver.RtpBufferSize);
        long malformed = rig.Session.Statistics.Malformed;
        await rig.SendAsync(p => p.SendRaw(full, rig.Port));
        Assert.Equal(malformed + 1, rig.Session.Statistics.Malformed);

        guard.Cancel();
        await recording;
        var samples = AudioClip.FromWavFile(path).Samples.ToArray();
        Assert.Equal(Enumerable.Repeat(G711.MuLawToLinear(0x90), RtpReceiver.MaxAudioPayload), samples);
    }

    private static byte[] Packet(ushort seq, uint ts, int csrcs, int extensionWords, int payload)
    {
        int header = 12 + 4 * csrcs + 4 + 4 * extensionWords;
        var p = new byte[header + payload];
        RtpHeader.Write(p, 0, false, seq, ts, 0x11223344);
        p[0] |= (byte)(0x10 | csrcs); // X bit, CSRC count
        int x = 12 + 4 * csrcs;
        p[x] = 0xBE; p[x + 1] = 0xDE; // RFC 8285 one-byte form, padding-only elements
        p[x + 2] = (byte)(extensionWords >> 8); p[x + 3] = (byte)extensionWords;
        p.AsSpan(header).Fill(0x90);
        return p;
    }

    // Span writes reach Write(byte[], int, int) through Stream's own forwarding: each write is counted once.
    private sealed class WriteCountingStream : MemoryStream
    {
        public List<int> Writes { get; } = [];

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes.Add(count);
            base.Write(buffer, offset, count);
        }
    }
}
