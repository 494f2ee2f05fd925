using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// A UDP port that collects the RTP (PCMU) a server sends to it, so a test can check what a caller
/// heard. Independent of the server's media code: tiny RTP header parse (RFC 3550 §5.1) and µ-law
/// decode (ITU-T G.711).
/// </summary>
public sealed class RtpSink : IDisposable
{
    private readonly Socket _socket;
    private readonly List<(ushort Seq, byte[] Payload)> _packets = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly (int First, int Last) _range;

    /// <summary>Binds 127.0.0.1 on a port from the test range and starts receiving.</summary>
    public RtpSink()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _range = TestPorts.RtpRange(10);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, _range.First));
        Port = _range.First;
        _loop = Task.Run(ReceiveLoop);
    }

    /// <summary>The port to announce in the SDP.</summary>
    public int Port { get; }

    /// <summary>PCMU packets received so far.</summary>
    public int PacketCount { get { lock (_gate) return _packets.Count; } }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            if (n < 12 || buffer[0] >> 6 != 2)
                continue;
            int csrc = buffer[0] & 0x0F;
            int header = 12 + 4 * csrc;
            if ((buffer[0] & 0x10) != 0 && n >= header + 4)
                header += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(header + 2, 2));
            int payloadType = buffer[1] & 0x7F;
            if (payloadType != 0 || n <= header)
                continue;
            ushort seq = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2, 2));
            lock (_gate)
                _packets.Add((seq, buffer[header..n]));
        }
    }

    /// <summary>The decoded audio in arrival order (sequence-sorted within wrap-around).</summary>
    public short[] Audio()
    {
        List<(ushort Seq, byte[] Payload)> copy;
        lock (_gate)
            copy = [.. _packets];
        if (copy.Count == 0)
            return [];
        ushort first = copy[0].Seq;
        return copy.OrderBy(p => (ushort)(p.Seq - first)).SelectMany(p => p.Payload).Select(MuLawToLinear).ToArray();
    }

    /// <summary>G.711 µ-law expansion.</summary>
    public static short MuLawToLinear(byte code)
    {
        int u = ~code & 0xFF;
        int t = ((u & 0x0F) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    /// <summary>Stops receiving and closes the port.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
        TestPorts.Release(_range);
    }
}
