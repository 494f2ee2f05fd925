using System.Net;
using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>Loopback ports for servers and peers started by the tests.</summary>
public static class TestPorts
{
    private const int RangeStart = 20000;
    private const int RangeEnd = 30000;
    private const int BlockSize = 100;
    private static readonly Lock Gate = new();
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
            if (UdpFree(port))
                return port;
        }
        throw new InvalidOperationException("no free loopback port found");
    }

    /// <summary>
    /// A block of consecutive ports below 32768 (outside the kernel's ephemeral range, so outgoing
    /// connections cannot take them), distinct for every call in this process; its first port is
    /// checked to be bindable for UDP.
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
                if (UdpFree(first) && UdpFree(first + size - 2))
                    return (first, first + size - 1);
            }
        }
        throw new InvalidOperationException("no free RTP port range found in 20000-30000");
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
