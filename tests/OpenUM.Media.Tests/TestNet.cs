using System.Net;
using System.Net.Sockets;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

internal static class TestNet
{
    // Below the Linux ephemeral range so OS-assigned ports never collide; random so parallel runs rarely do
    // (MediaSession.Open skips ports that are taken anyway).
    public static readonly RtpPortRange Ports = CreateRange();

    private static RtpPortRange CreateRange()
    {
        int first = 20000 + 2 * Random.Shared.Next(0, 5000);
        return new RtpPortRange(first, first + 998);
    }

    public static NegotiatedMedia MediaTo(int port, AudioCodec codec = AudioCodec.Pcmu, int? te = 101,
        MediaDirection direction = MediaDirection.SendRecv, int ptime = 20) =>
        new(codec, (int)codec, te, new IPEndPoint(IPAddress.Loopback, port), direction, ptime);

    // A hang guard only: the condition is expected to become true quickly; the limit is generous.
    public static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Timed out waiting for: " + what);
            await Task.Delay(5);
        }
    }

    public static CancellationTokenSource Guard() => new(TimeSpan.FromSeconds(30));

    // Sources are learned after a run of packets in sequence: sends that run (silent audio of payload type pt, ending
    // just before nextSeq when given, else continuing the peer's own numbering) and waits until all have arrived.
    public static async Task LearnAsync(RawPeer peer, MediaSession s, int pt = 0, ushort? nextSeq = null, uint ts = 0,
        int probation = MediaSourcePolicy.DefaultProbation)
    {
        long before = s.DatagramsHandled;
        var silence = new byte[160];
        Array.Fill(silence, pt == 8 ? G711.ALawSilence : G711.MuLawSilence);
        for (int i = 0; i < probation; i++)
        {
            ushort? seq = nextSeq is { } next ? (ushort)(next - probation + i) : null;
            peer.SendRtp(s.LocalPort, pt, ts + (uint)(160 * i), silence, seq: seq);
        }
        await WaitUntil(() => s.DatagramsHandled == before + probation, "the learning run");
    }
}

// Time that moves only when a test says so, without allocating (FakeTimeProvider.Advance may run timers).
internal sealed class ManualTime : TimeProvider
{
    public long Now = 1_000_000_000;

    public override long GetTimestamp() => Volatile.Read(ref Now);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref Now, by.Ticks);
}

// A raw RTP peer on a plain UDP socket, for crafting and inspecting packets.
internal sealed class RawPeer : IDisposable
{
    private readonly UdpClient _udp;
    private ushort _seq = 1000;

    // Any 127.x.y.z works on Linux: another loopback address stands in for another host.
    public RawPeer(IPAddress? bind = null) => _udp = new UdpClient(new IPEndPoint(bind ?? IPAddress.Loopback, 0));

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public IPAddress Address => ((IPEndPoint)_udp.Client.LocalEndPoint!).Address;

    public uint Ssrc { get; set; } = 0x11223344;

    public void SendRaw(byte[] datagram, int port) => _udp.Send(datagram, datagram.Length, new IPEndPoint(IPAddress.Loopback, port));

    public void SendRtp(int port, int pt, uint ts, ReadOnlySpan<byte> payload, bool marker = false, ushort? seq = null)
    {
        var p = new byte[12 + payload.Length];
        RtpHeader.Write(p, pt, marker, seq ?? _seq++, ts, Ssrc);
        payload.CopyTo(p.AsSpan(12));
        SendRaw(p, port);
    }

    public void SendAudio(int port, uint ts, short value, int samples = 160, ushort? seq = null)
    {
        var payload = new byte[samples];
        Array.Fill(payload, G711.LinearToMuLaw(value));
        SendRtp(port, 0, ts, payload, seq: seq);
    }

    public void SendEvent(int port, uint ts, int ev, bool end, ushort duration, bool marker = false)
    {
        var payload = new byte[4];
        new TelephoneEvent((byte)ev, end, 10, duration).Write(payload);
        SendRtp(port, 101, ts, payload, marker);
    }

    public async Task<byte[]> ReceiveAsync(CancellationToken ct) => (await _udp.ReceiveAsync(ct)).Buffer;

    public int Available => _udp.Available;

    public void Dispose() => _udp.Dispose();
}
