using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Media;

/// <summary>
/// A raw RTP sender on 127.0.0.1 for the media tests: a stranger on the gateway's host, or a gateway whose packets
/// misbehave (timestamp jumps, oversized payloads). Independent of the server's media code: RTP header by hand
/// (RFC 3550 §5.1), RFC 4733 events by hand (§2.3), µ-law from sox-made files or <see cref="MuLaw"/>.
/// </summary>
internal sealed class RtpSender : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[12 + 8192];
    private ushort _seq = (ushort)Random.Shared.Next(0, 0x10000);

    /// <summary>Binds 127.0.0.1 on <paramref name="port"/> (0 = any free port).</summary>
    public RtpSender(int port = 0)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    /// <summary>The local port packets leave from.</summary>
    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>The SSRC of every packet.</summary>
    public uint Ssrc { get; } = (uint)Random.Shared.Next();

    /// <summary>Packets sent so far.</summary>
    public int Sent { get; private set; }

    /// <summary>Sends one packet with the next sequence number.</summary>
    public void Send(int serverPort, int payloadType, bool marker, uint timestamp, ReadOnlySpan<byte> payload)
    {
        _buffer[0] = 0x80;
        _buffer[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _seq++);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(8), Ssrc);
        payload.CopyTo(_buffer.AsSpan(12));
        try
        {
            _socket.SendTo(_buffer.AsSpan(0, 12 + payload.Length), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, serverPort));
            Sent++;
        }
        catch (SocketException)
        {
            // The server's port is gone (call over): nothing to tell.
        }
    }

    /// <summary>One RFC 4733 key press (event 11 = '#'): a start packet with the marker, then three end packets.</summary>
    public void SendKey(int serverPort, int telephoneEventPt, int ev, uint timestamp)
    {
        Span<byte> payload = stackalloc byte[4];
        payload[0] = (byte)ev;
        payload[1] = 10; // volume -10 dBm0, E bit clear
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], 160);
        Send(serverPort, telephoneEventPt, true, timestamp, payload);
        payload[1] |= 0x80; // E: end of event
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], 800);
        for (int i = 0; i < 3; i++)
            Send(serverPort, telephoneEventPt, false, timestamp, payload);
    }

    /// <summary>Calls <paramref name="frame"/> with 0, 1, 2, ... every 20 ms (absolute schedule) until cancelled.</summary>
    public static async Task PaceAsync(Action<int> frame, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (int k = 0; !ct.IsCancellationRequested; k++)
        {
            frame(k);
            var due = TimeSpan.FromMilliseconds(20 * (k + 1)) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                try { await Task.Delay(due, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>G.711 µ-law encoding (ITU-T G.711, the segment/biased form), for tones the tests synthesise.</summary>
internal static class MuLaw
{
    public static byte Encode(short sample)
    {
        const int Bias = 0x84, Clip = 32635;
        int s = sample;
        int sign = s < 0 ? 0x80 : 0;
        if (s < 0)
            s = -s;
        s = Math.Min(s, Clip) + Bias;
        int exponent = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1)
            exponent--;
        int mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    /// <summary><paramref name="samples"/> µ-law bytes of a sine at <paramref name="hz"/>, continuing from sample <paramref name="start"/>.</summary>
    public static byte[] Tone(double hz, long start, int samples, double amplitude = 8000)
    {
        var bytes = new byte[samples];
        for (int i = 0; i < samples; i++)
            bytes[i] = Encode((short)(amplitude * Math.Sin(2 * Math.PI * hz * (start + i) / 8000)));
        return bytes;
    }
}

/// <summary>The server's RTP port, as the SIPp scenarios write it once the 200 OK has arrived.</summary>
internal static class PortFile
{
    /// <summary>Waits (hang guard only) until <paramref name="path"/> holds a port number.</summary>
    public static async Task<int> WaitAsync(string path, Task sipp, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                return port;
            if (sipp.IsCompleted)
                Assert.Fail($"SIPp ended before writing the server's RTP port to {path}");
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no server RTP port in {path} within the {hangGuard.TotalSeconds:0} s hang guard");
            await Task.Delay(20);
        }
    }
}
