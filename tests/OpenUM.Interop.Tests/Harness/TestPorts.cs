using System.Net;
using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Loopback ports for servers and peers started by the tests. Test classes run two at a time (xunit.runner.json), so
/// every port handed out is also claimed in this process: a port is free when picked but only bound when the peer
/// has started, and without the claim two classes picking at the same moment could both get it.
/// </summary>
public static class TestPorts
{
    private const int RangeStart = 20000;
    private const int RangeEnd = 30000;
    private const int BlockSize = 100;
    // Longer than any test class holds a port; a claim only has to outlive the gap between picking and binding.
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(30);
    private static readonly Lock Gate = new();
    private static readonly Lock ClaimGate = new();
    private static readonly Dictionary<int, DateTime> Claimed = [];
    // Start at a process-specific block so two test runs on one machine rarely pick the same ranges.
    private static int _nextBlock = Environment.ProcessId % ((RangeEnd - RangeStart) / BlockSize);

    /// <summary>
    /// A free port for a listener (TCP and UDP both bindable on 127.0.0.1), found by binding port 0.
    /// </summary>
    public static int FreeListenerPort()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            if (UdpFree(port) && TryClaim(port, 1))
                return port;
        }
        throw new InvalidOperationException("no free loopback port found");
    }

    /// <summary>
    /// A block of consecutive ports below 32768 (outside the kernel's ephemeral range, so outgoing
    /// connections cannot take them): every port of it bindable for UDP now and claimed for this process until
    /// <see cref="Release"/> (or 30 minutes). The blocks go round 20000-29999 several times a run; without the claim a
    /// block could be handed out again while the test beside still holds it (a server binds random ports of its range
    /// while it runs: SIPp once failed to bind its media port in a block a running server had been given before).
    /// </summary>
    public static (int First, int Last) RtpRange(int size = BlockSize)
    {
        int blocks = (size + BlockSize - 1) / BlockSize;
        lock (Gate)
        {
            for (int attempt = 0; attempt < (RangeEnd - RangeStart) / BlockSize; attempt++)
            {
                if (RangeStart + (_nextBlock + blocks) * BlockSize > RangeEnd)
                    _nextBlock = 0;
                int first = RangeStart + _nextBlock * BlockSize;
                _nextBlock += blocks;
                if (Enumerable.Range(first, size).All(UdpFree) && TryClaim(first, size))
                    return (first, first + size - 1);
            }
        }
        throw new InvalidOperationException("no free RTP port range found in 20000-30000");
    }

    /// <summary>
    /// <paramref name="count"/> consecutive ports in [<paramref name="first"/>, <paramref name="last"/>] (a share of the
    /// loopback range one kind of peer uses), starting at a random multiple of <paramref name="count"/> from
    /// <paramref name="first"/>: each bindable now (TCP and UDP) and claimed for this process, so no other test gets them.
    /// </summary>
    public static int ClaimBlock(int first, int last, int count = 1)
    {
        int blocks = (last - first + 1) / count;
        int start = Random.Shared.Next(blocks);
        for (int i = 0; i < blocks; i++)
        {
            int port = first + (start + i) % blocks * count;
            if (Enumerable.Range(port, count).All(ListenerFree) && TryClaim(port, count))
                return port;
        }
        throw new InvalidOperationException($"no {count} free consecutive ports in {first}-{last}");
    }

    /// <summary>Gives back a range from <see cref="RtpRange"/> once nothing the test started binds it any more.</summary>
    public static void Release((int First, int Last) range)
    {
        lock (ClaimGate)
            for (int p = range.First; p <= range.Last; p++)
                Claimed.Remove(p);
    }

    // Claims port..port+count-1 unless one of them is claimed already (claims expire after ClaimLifetime).
    private static bool TryClaim(int port, int count)
    {
        var now = DateTime.UtcNow;
        lock (ClaimGate)
        {
            for (int p = port; p < port + count; p++)
                if (Claimed.TryGetValue(p, out var at) && now - at < ClaimLifetime)
                    return false;
            for (int p = port; p < port + count; p++)
                Claimed[p] = now;
            return true;
        }
    }

    /// <summary>True if <paramref name="port"/> can be bound on 127.0.0.1 for both TCP and UDP.</summary>
    public static bool ListenerFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException)
        {
            return false;
        }
        return UdpFree(port);
    }

    private static bool UdpFree(int port)
    {
        try
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
