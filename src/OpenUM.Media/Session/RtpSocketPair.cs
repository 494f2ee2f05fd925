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
/// Before a call lets go, <see cref="FlushAsync"/> lets the loop hand over what is already queued on the RTP socket: a
/// loop starved of CPU may be seconds behind the caller.
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
    // A flush (FlushAsync): what it completes, how many more datagrams it may hand over, and the markers (empty
    // datagrams the RTP socket sent itself) not read yet.
    private TaskCompletionSource? _flushed;
    private int _flushLeft, _markers, _flushGraces, _flushWaits;

    private RtpSocketPair(Socket rtp, Socket rtcp, int port, IPAddress address, TimeProvider time, ILogger logger)
    {
        (Rtp, Rtcp, Port, Address) = (rtp, rtcp, port, address);
        _loops = new ReceiveLoops(this, time, logger);
    }

    /// <summary>The most datagrams a flush hands over: 10 s of 20 ms packets, whatever a peer keeps sending.</summary>
    internal const int MaxFlushed = 500;

    /// <summary>The longest a flush waits for a loop that has fallen behind: the time <see cref="MaxFlushed"/> packets stand for.</summary>
    internal static readonly TimeSpan MaxFlushTime = TimeSpan.FromSeconds(10);

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
    /// in the receiver, perhaps the very thread calling this from a key press's handler). A flush ends here.
    /// </summary>
    public ValueTask DetachAsync()
    {
        TaskCompletionSource? flushed;
        ValueTask done;
        lock (_lock)
        {
            _receiver = null;
            (flushed, _flushed) = (_flushed, null);
            if (_busy == 0)
            {
                done = ValueTask.CompletedTask;
            }
            else
            {
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                done = new ValueTask(_drained.Task);
            }
        }
        flushed?.TrySetResult();
        return done;
    }

    /// <summary>True when a datagram with a payload waits unread on the RTP socket (one ioctl: call it rarely).</summary>
    public bool RtpQueued()
    {
        try
        {
            return Rtp.Available > 0; // Linux: the size of the first queued datagram
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            return false;
        }
    }

    /// <summary>True while a flush waits for the RTP loop (tests).</summary>
    internal bool Flushing
    {
        get
        {
            lock (_lock)
                return _flushed is not null;
        }
    }

    /// <summary>
    /// Lets the RTP loop hand the datagrams already queued on the socket to <paramref name="receiver"/>, if still
    /// attached, and never waits for new ones: completes once the loop has read a marker sent after them, or finds the
    /// queue empty after a datagram, or has handed over <see cref="MaxFlushed"/>. On <paramref name="time"/> (the
    /// session's clock) it also ends at a <see cref="ReceiveLoops.WakeGrace"/> that finds nothing queued (the marker
    /// lost: loopback traffic filtered), or the loops ended, or <see cref="MaxFlushTime"/> passed.
    /// </summary>
    public async Task FlushAsync(RtpReceiver receiver, TimeProvider time)
    {
        TaskCompletionSource flushed;
        lock (_lock)
        {
            if (_receiver != receiver || !_loops.Running)
                return;
            flushed = _flushed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushLeft = MaxFlushed;
            _markers++;
        }
        // The socket's queue is first in, first out: the marker comes after everything queued now. A full queue drops
        // it, but then the loop has datagrams to read, and finds the queue empty after the last of them.
        if (!_loops.Wake(Rtp))
        {
            lock (_lock)
                _markers--;
            EndFlush(flushed);
            return;
        }
        long start = time.GetTimestamp();
        while (true)
        {
            try
            {
                var waited = flushed.Task.WaitAsync(ReceiveLoops.WakeGrace, time);
                Interlocked.Increment(ref _flushWaits); // the grace's timer is armed: a test's clock may move now
                await waited.ConfigureAwait(false);
                return;
            }
            catch (TimeoutException) when (RtpQueued() && _loops.Running && time.GetElapsedTime(start) < MaxFlushTime)
            {
                // Still behind: the loop has not reached the marker yet.
                Interlocked.Increment(ref _flushGraces);
            }
            catch (TimeoutException)
            {
                EndFlush(flushed);
                return;
            }
        }
    }

    /// <summary>Graces a flush has waited beyond because datagrams were still queued (tests).</summary>
    internal int FlushGraces => Volatile.Read(ref _flushGraces);

    /// <summary>Graces a flush has started waiting for, their timers armed (tests move a fake clock only after).</summary>
    internal int FlushWaits => Volatile.Read(ref _flushWaits);

    private void EndFlush(TaskCompletionSource flushed)
    {
        lock (_lock)
        {
            if (_flushed == flushed)
                _flushed = null;
        }
        flushed.TrySetResult();
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
        if (!rtcp && packet.IsEmpty && TakeMarker())
            return;
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
            Leave(flushes: !rtcp);
        }
    }

    // An empty datagram while markers are out is taken for one (anyone else's would only end a flush early): it ends the
    // flush, and reaches no receiver. Otherwise it is what it always was, a malformed packet.
    private bool TakeMarker()
    {
        TaskCompletionSource? flushed;
        lock (_lock)
        {
            if (_markers == 0)
                return false;
            _markers--;
            (flushed, _flushed) = (_flushed, null);
        }
        flushed?.TrySetResult();
        return true;
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
            Leave(flushes: true);
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

    // After an RTP datagram during a flush, the queue is looked at (an ioctl, only then): empty, or only the marker left,
    // means everything queued has been handed over.
    private void Leave(bool flushes)
    {
        TaskCompletionSource? drained = null, flushed = null;
        lock (_lock)
        {
            if (--_busy == 0)
                (drained, _drained) = (_drained, null);
            if (flushes && _flushed is not null && (--_flushLeft == 0 || !RtpQueued()))
                (flushed, _flushed) = (_flushed, null);
        }
        drained?.TrySetResult();
        flushed?.TrySetResult();
    }
}
