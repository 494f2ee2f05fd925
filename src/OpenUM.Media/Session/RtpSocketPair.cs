using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OpenUM.Media.Session;

/// <summary>
/// A UDP socket on an even RTP port and one on the next (RTCP), with their receive loops (<see cref="ReceiveLoops"/>),
/// lent to one media session at a time. <see cref="RtpPortRange"/> may keep a few idle pairs between calls, so that a
/// call does not pay for creating, binding and closing two sockets and for waking their loops.
/// </summary>
/// <remarks>
/// Datagrams reach the session's <see cref="RtpReceiver"/> from <see cref="Attach"/> to <see cref="DetachAsync"/>; in
/// between calls they are read and dropped, so nothing a stranger sends to an idle port waits for the next call.
/// No lock is held while a datagram is handled (a key press runs the application's handler there): detaching waits,
/// asynchronously, for the datagrams being handled, so that once it completed the receiver sees nothing more.
/// </remarks>
internal sealed class RtpSocketPair
{
    private readonly Lock _lock = new();
    private readonly ReceiveLoops _loops;
    private RtpReceiver? _receiver;
    private long _dropped;
    // Loops now handling a datagram of the attached receiver (RTP and RTCP: at most two), and what a detach waits on.
    private int _busy;
    private TaskCompletionSource? _drained;

    private RtpSocketPair(Socket rtp, Socket rtcp, int port, IPAddress address, TimeProvider time, ILogger logger)
    {
        (Rtp, Rtcp, Port, Address) = (rtp, rtcp, port, address);
        _loops = new ReceiveLoops(this, time, logger);
    }

    /// <summary>Binds RTP on <paramref name="port"/> and RTCP on the next port, and starts receiving on both.</summary>
    /// <exception cref="SocketException">A port is taken (the other socket is closed).</exception>
    public static RtpSocketPair Bind(IPAddress address, int port, TimeProvider time, ILogger logger)
    {
        Socket? rtp = null, rtcp = null;
        try
        {
            rtp = BindOne(address, port);
            // RFC 3550 §11: RTCP on the next (odd) port. Bound so that a peer's reports (and SRTCP, whose failures are
            // counted) land on a socket of ours rather than draw ICMP errors.
            rtcp = BindOne(address, port + 1);
        }
        catch
        {
            rtp?.Dispose();
            rtcp?.Dispose();
            throw;
        }
        var pair = new RtpSocketPair(rtp, rtcp, port, address, time, logger);
        pair._loops.Start();
        return pair;
    }

    private static Socket BindOne(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The RTP socket.</summary>
    public Socket Rtp { get; }

    /// <summary>The RTCP socket (port + 1).</summary>
    public Socket Rtcp { get; }

    /// <summary>The RTP port (even).</summary>
    public int Port { get; }

    /// <summary>The address both sockets are bound to.</summary>
    public IPAddress Address { get; }

    /// <summary>True while both receive loops run; only such a pair may serve another call.</summary>
    public bool Receiving => _loops.Running;

    /// <summary>Replaces the wake that ends the loops (tests: false = it could not be sent).</summary>
    internal Func<Socket, bool> Wake
    {
        get => _loops.Wake;
        set => _loops.Wake = value;
    }

    /// <summary>Datagrams read while no session was attached (before its start, or between calls), dropped.</summary>
    internal long Dropped
    {
        get
        {
            lock (_lock)
                return _dropped;
        }
    }

    /// <summary>From now on the datagrams go to <paramref name="receiver"/> (queued ones too).</summary>
    public void Attach(RtpReceiver receiver)
    {
        lock (_lock)
            _receiver = receiver;
    }

    /// <summary>
    /// No more datagrams go to the attached receiver; completes once none is being handled (at once unless a loop is
    /// in the receiver, perhaps the very thread calling this from a key press's handler).
    /// </summary>
    public ValueTask DetachAsync()
    {
        lock (_lock)
        {
            _receiver = null;
            if (_busy == 0)
                return ValueTask.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_drained.Task);
        }
    }

    /// <summary>Ends the loops (<see cref="ReceiveLoops.StopAsync"/>), then closes both sockets; the port is the caller's to return.</summary>
    public async ValueTask CloseAsync()
    {
        // The wakes first: a loop held by a handler ends right after it.
        _loops.BeginStop();
        await DetachAsync().ConfigureAwait(false);
        await _loops.StopAsync().ConfigureAwait(false);
        Rtp.Dispose();
        Rtcp.Dispose();
    }

    // The loops' threads. Between calls the datagram is dropped.
    internal void OnDatagram(bool rtcp, Span<byte> packet, SocketAddress from)
    {
        if (Enter() is not { } receiver)
            return;
        try
        {
            if (rtcp)
                receiver.OnRtcpDatagram(packet, from);
            else
                receiver.Received(packet, from);
        }
        finally
        {
            Leave();
        }
    }

    internal void OnMalformed()
    {
        if (Enter() is not { } receiver)
            return;
        try
        {
            receiver.CountMalformed();
        }
        finally
        {
            Leave();
        }
    }

    private RtpReceiver? Enter()
    {
        lock (_lock)
        {
            if (_receiver is null)
                _dropped++;
            else
                _busy++;
            return _receiver;
        }
    }

    private void Leave()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (--_busy == 0)
                (drained, _drained) = (_drained, null);
        }
        drained?.TrySetResult();
    }
}
