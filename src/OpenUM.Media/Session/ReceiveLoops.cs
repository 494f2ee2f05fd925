using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OpenUM.Media.Session;

/// <summary>
/// The two receive loops of an <see cref="RtpSocketPair"/> (RTP and RTCP): each hands its datagrams to the pair, which
/// passes them to the session using it. They run for the pair's life, across the calls it serves, and end without an
/// exception: the flag <see cref="Closing"/>, then an empty datagram from each socket to itself.
/// </summary>
/// <remarks>
/// A pending receive ends only by a datagram, a cancellation or the socket's close; the last two throw in the loop (two
/// exceptions per pair, ~4.5 % of the signalling CPU), and shutdown(2) does not wake a non-blocking receive on Linux.
/// The wake needs no trust: the flag ends the loop, not the datagram, so no peer can end a loop. A full receive
/// buffer drops the wake, but then holds datagrams the loop still reads, and the flag ends it on the first of them.
/// The socket is closed under the loop only when the wake cannot be sent, or has not ended the loop after
/// <see cref="WakeGrace"/> (loopback traffic filtered): better an exception than a port held for ever.
/// </remarks>
internal sealed class ReceiveLoops
{
    /// <summary>How long a sent wake may take before the socket is closed under the loop.</summary>
    public static readonly TimeSpan WakeGrace = TimeSpan.FromSeconds(2);

    private readonly RtpSocketPair _pair;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _closing;
    private Task _rtpLoop = Task.CompletedTask, _rtcpLoop = Task.CompletedTask;

    /// <param name="pair">The sockets, and where their datagrams go.</param>
    /// <param name="time">The clock's time, for the wake's grace.</param>
    /// <param name="logger">For receive failures and a loop that had to be ended by closing its socket.</param>
    public ReceiveLoops(RtpSocketPair pair, TimeProvider time, ILogger logger) => (_pair, _time, _logger) = (pair, time, logger);

    /// <summary>Sends the wake; false when it could not be sent. Replaced by tests to lose or fail it.</summary>
    internal Func<Socket, bool> Wake { get; set; } = SendToSelf;

    /// <summary>Set once the pair closes: each loop returns after its next receive.</summary>
    public bool Closing => _closing;

    /// <summary>True while both loops run (a receive failure ends one: such a pair is not kept for another call).</summary>
    public bool Running => !_closing && !_rtpLoop.IsCompleted && !_rtcpLoop.IsCompleted;

    /// <summary>Starts both loops on the calling thread (no thread-pool hand-off); called once.</summary>
    public void Start()
    {
        _rtpLoop = ReceiveAsync(rtcp: false);
        _rtcpLoop = ReceiveAsync(rtcp: true);
    }

    /// <summary>Sets the flag and sends the wakes: each loop ends after the datagram it may be handling.</summary>
    public void BeginStop()
    {
        if (_closing)
            return;
        _closing = true;
        WakeOrClose(_pair.Rtp, _rtpLoop, _pair.Port);
        WakeOrClose(_pair.Rtcp, _rtcpLoop, _pair.Port + 1);
    }

    /// <summary>Ends both loops (<see cref="BeginStop"/>) and waits for them; the sockets are the caller's to close afterwards.</summary>
    public async ValueTask StopAsync()
    {
        BeginStop();
        if (_rtpLoop.IsCompleted && _rtcpLoop.IsCompleted)
            return; // never started, or ended by a receive failure
        var loops = Task.WhenAll(_rtpLoop, _rtcpLoop);
        try
        {
            await loops.WaitAsync(WakeGrace, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            MediaLog.ReceiveLoopNotWoken(_logger, _rtpLoop.IsCompleted ? _pair.Port + 1 : _pair.Port,
                "no wake arrived in time; is loopback traffic filtered?");
            _pair.Rtp.Dispose();
            _pair.Rtcp.Dispose();
            await loops.ConfigureAwait(false);
        }
    }

    // One buffer and one SocketAddress per loop for the life of the pair: the steady-state loop allocates nothing.
    private async Task ReceiveAsync(bool rtcp)
    {
        var socket = rtcp ? _pair.Rtcp : _pair.Rtp;
        int port = rtcp ? _pair.Port + 1 : _pair.Port;
        var pool = rtcp ? RtpReceiver.ReceiveBuffers.Rtcp : RtpReceiver.ReceiveBuffers.Rtp;
        var buffer = pool.Rent();
        try
        {
            var from = new SocketAddress(socket.AddressFamily);
            bool first = true;
            while (true)
            {
                int n;
                try
                {
                    var receive = socket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from);
                    if (first)
                    {
                        // Started by the caller's thread instead of Task.Run: only a datagram that was already
                        // waiting costs the hand-off.
                        first = false;
                        if (receive.IsCompleted)
                            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                    }
                    n = await receive.ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException ex) when (!Closing && ex.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
                {
                    // Oversized datagram, or an ICMP error surfaced on the socket: the socket is still usable.
                    if (!rtcp)
                        _pair.OnMalformed();
                    continue;
                }
                catch (SocketException ex)
                {
                    if (!Closing)
                        MediaLog.ReceiveFailed(_logger, port, ex);
                    return;
                }
                // The flag ends the loop, whatever the datagram: the wake is an empty one from the socket to itself,
                // but no datagram from outside can end a loop (before closing, an empty one is malformed, or a flush's marker).
                if (Closing)
                    return;
                _pair.OnDatagram(rtcp, buffer.AsSpan(0, n), from);
            }
        }
        finally
        {
            pool.Return(buffer); // the loop has ended: no receive is pending on it
        }
    }

    private void WakeOrClose(Socket socket, Task loop, int port)
    {
        if (loop.IsCompleted || Wake(socket))
            return;
        // Not rate-limited: at most two per pair, no peer can cause it, and it says the host needs fixing.
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
