using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OpenUM.Media.Session;

/// <summary>
/// Starts a session's two receive loops (RTP and RTCP, <see cref="RtpReceiver.ReceiveAsync"/>) and ends them without
/// an exception: the flag <see cref="RtpReceiver.Closing"/>, then an empty datagram from each socket to itself.
/// </summary>
/// <remarks>
/// A pending receive ends only by a datagram, a cancellation or the socket's close; the last two throw in the loop (two
/// exceptions per call, ~4.5 % of the signalling CPU), and shutdown(2) does not wake a non-blocking receive on Linux.
/// The wake needs no trust: the flag ends the loop, not the datagram, so no peer can end a call's loop. A full receive
/// buffer drops the wake, but then holds datagrams the loop still reads, and the flag ends it on the first of them.
/// The socket is closed under the loop only when the wake cannot be sent, or has not ended the loop after
/// <see cref="WakeGrace"/> (loopback traffic filtered): better an exception than a port held for ever.
/// </remarks>
internal sealed class ReceiveLoops
{
    /// <summary>How long a sent wake may take before the socket is closed under the loop.</summary>
    public static readonly TimeSpan WakeGrace = TimeSpan.FromSeconds(2);

    private readonly RtpReceiver _receiver;
    private readonly Socket _socket, _rtcpSocket;
    private readonly int _localPort;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Task _rtpLoop = Task.CompletedTask, _rtcpLoop = Task.CompletedTask;

    /// <param name="receiver">Runs the loops.</param>
    /// <param name="socket">The RTP socket (owned by the session).</param>
    /// <param name="rtcpSocket">The RTCP socket (owned by the session).</param>
    /// <param name="localPort">The RTP port, for log lines.</param>
    /// <param name="time">The clock's time, for the wake's grace.</param>
    /// <param name="logger">For a loop that had to be ended by closing its socket.</param>
    public ReceiveLoops(RtpReceiver receiver, Socket socket, Socket rtcpSocket, int localPort, TimeProvider time, ILogger logger) =>
        (_receiver, _socket, _rtcpSocket, _localPort, _time, _logger) = (receiver, socket, rtcpSocket, localPort, time, logger);

    /// <summary>Sends the wake; false when it could not be sent. Replaced by tests to lose or fail it.</summary>
    internal Func<Socket, bool> Wake { get; set; } = SendToSelf;

    /// <summary>Starts both loops on the calling thread (no thread-pool hand-off); called once, under the session's lock.</summary>
    public void Start()
    {
        _rtpLoop = _receiver.ReceiveAsync(rtcp: false);
        _rtcpLoop = _receiver.ReceiveAsync(rtcp: true);
    }

    /// <summary>Ends both loops and waits for them; the sockets are the caller's to close afterwards.</summary>
    public async ValueTask StopAsync()
    {
        _receiver.Closing = true;
        if (_rtpLoop.IsCompleted && _rtcpLoop.IsCompleted)
            return; // never started, or ended by a receive failure
        WakeOrClose(_socket, _rtpLoop, _localPort);
        WakeOrClose(_rtcpSocket, _rtcpLoop, _localPort + 1);
        var loops = Task.WhenAll(_rtpLoop, _rtcpLoop);
        try
        {
            await loops.WaitAsync(WakeGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            MediaLog.ReceiveLoopNotWoken(_logger, _rtpLoop.IsCompleted ? _localPort + 1 : _localPort,
                "no wake arrived in time; is loopback traffic filtered?");
            _socket.Dispose();
            _rtcpSocket.Dispose();
            await loops.ConfigureAwait(false);
        }
    }

    private void WakeOrClose(Socket socket, Task loop, int port)
    {
        if (loop.IsCompleted || Wake(socket))
            return;
        // Not rate-limited: at most two per call, no peer can cause it, and it says the host needs fixing.
        MediaLog.ReceiveLoopNotWoken(_logger, port, "the wake could not be sent");
        socket.Dispose();
    }

    // An empty datagram to the socket's own address; a wildcard is reached on loopback (a dual-mode socket on IPv6's,
    // else IPv4's mapped).
    private static bool SendToSelf(Socket socket)
    {
        try
        {
            if (socket.LocalEndPoint is not IPEndPoint local)
                return false;
            if (local.Address.Equals(IPAddress.Any))
                return TrySend(socket, new IPEndPoint(IPAddress.Loopback, local.Port));
            if (local.Address.Equals(IPAddress.IPv6Any))
                return TrySend(socket, new IPEndPoint(IPAddress.IPv6Loopback, local.Port))
                    || (socket.DualMode && TrySend(socket, new IPEndPoint(IPAddress.Loopback.MapToIPv6(), local.Port)));
            return TrySend(socket, local);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static bool TrySend(Socket socket, IPEndPoint to)
    {
        try
        {
            socket.SendTo(ReadOnlySpan<byte>.Empty, SocketFlags.None, to);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
