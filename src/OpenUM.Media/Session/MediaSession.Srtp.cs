using System.Net;
using System.Net.Sockets;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Session;

public sealed partial class MediaSession
{
    // The send context is used by the clock thread only; the RTP and the RTCP receive loops run concurrently, so
    // each has its own receive context (same keys, separate state). SRTCP multiplexed on the RTP port (RFC 5761) is
    // checked by the RTP loop's context, so its replay window is not shared with the RTCP port's: harmless while RTCP
    // is only counted.
    private volatile SrtpContext? _srtpSend, _srtpReceiveRtp, _srtpReceiveRtcp;
    // Contexts replaced by a re-INVITE may still be in use by a loop for one more packet: disposed with the session,
    // and so are the master keys of every negotiation applied.
    private readonly List<SrtpContext> _retiredSrtp = [];
    private readonly List<SrtpMasterKey> _masterKeys = [];
    private long _srtpRtpAuthFailures, _srtpRtpReplays, _srtpRtpOther, _srtcpAuthFailures, _srtcpReplays, _srtcpOther, _rtcpPackets;

    /// <summary>SRTP/SRTCP rejections of this session so far, per stream (zeros without SRTP).</summary>
    public SrtpStatistics SrtpStatistics => new(
        Interlocked.Read(ref _srtpRtpAuthFailures), Interlocked.Read(ref _srtpRtpReplays), Interlocked.Read(ref _srtpRtpOther),
        Interlocked.Read(ref _srtcpAuthFailures), Interlocked.Read(ref _srtcpReplays), Interlocked.Read(ref _srtcpOther),
        Interlocked.Read(ref _rtcpPackets));

    /// <summary>True while the session protects its media with SRTP.</summary>
    public bool IsSecure => _srtpSend is not null;

    // Called under _lock. A re-INVITE that keeps a direction's key keeps its context: RFC 4568 lets the peer keep
    // its key, and a fresh context would restart the rollover counter (every packet fails once the sequence number
    // wraps, ~22 minutes later) and forget the replay window (packets from before the re-INVITE could be replayed).
    private void ApplySrtp(SrtpSession? srtp, SrtpSession? previous = null)
    {
        if (srtp is not null)
        {
            _masterKeys.Add(srtp.Send.Key);
            _masterKeys.Add(srtp.Receive.Key);
        }
        if (srtp is null || previous is null || !SameKey(srtp.Send, previous.Send))
        {
            Retire(_srtpSend);
            _srtpSend = srtp is null ? null : new SrtpContext(srtp.Send);
        }
        if (srtp is null || previous is null || !SameKey(srtp.Receive, previous.Receive))
        {
            Retire(_srtpReceiveRtp);
            Retire(_srtpReceiveRtcp);
            (_srtpReceiveRtp, _srtpReceiveRtcp) = srtp is null ? (null, null) : (new SrtpContext(srtp.Receive), new SrtpContext(srtp.Receive));
        }
    }

    private static bool SameKey(SrtpPolicy a, SrtpPolicy b) =>
        a.Key.Suite == b.Key.Suite && a.ReplayWindow == b.ReplayWindow
        && a.Key.Key.Span.SequenceEqual(b.Key.Key.Span) && a.Key.Salt.Span.SequenceEqual(b.Key.Salt.Span)
        && a.Key.Mki.Span.SequenceEqual(b.Key.Mki.Span);

    private void Retire(SrtpContext? context)
    {
        if (context is not null)
            _retiredSrtp.Add(context);
    }

    private void DisposeSrtp()
    {
        lock (_lock)
        {
            Retire(_srtpSend);
            Retire(_srtpReceiveRtp);
            Retire(_srtpReceiveRtcp);
            (_srtpSend, _srtpReceiveRtp, _srtpReceiveRtcp) = (null, null, null);
            foreach (var context in _retiredSrtp)
                context.Dispose();
            _retiredSrtp.Clear();
            foreach (var key in _masterKeys)
                key.Dispose();
            _masterKeys.Clear();
        }
    }

    // Returns the plain packet length, or -1 when the packet must be dropped (counted and logged).
    private int UnprotectRtp(SrtpContext srtp, Span<byte> packet)
    {
        var status = srtp.UnprotectRtp(packet, out int plain);
        if (status == SrtpStatus.Ok)
            return plain;
        CountRejection(status, rtcp: false);
        return -1;
    }

    private void OnRtcp(Span<byte> packet, SrtpContext? srtp)
    {
        if (srtp is not null)
        {
            var status = srtp.UnprotectRtcp(packet, out _);
            if (status != SrtpStatus.Ok)
            {
                CountRejection(status, rtcp: true);
                return;
            }
        }
        // Reports are not interpreted yet; an authenticated one is counted so operators can see RTCP flows.
        Interlocked.Increment(ref _rtcpPackets);
    }

    private void CountRejection(SrtpStatus status, bool rtcp)
    {
        bool replay = status is SrtpStatus.ReplayDuplicate or SrtpStatus.ReplayTooOld;
        long n = (status, rtcp) switch
        {
            (SrtpStatus.AuthenticationFailed, false) => Interlocked.Increment(ref _srtpRtpAuthFailures),
            (SrtpStatus.AuthenticationFailed, true) => Interlocked.Increment(ref _srtcpAuthFailures),
            _ when replay && !rtcp => Interlocked.Increment(ref _srtpRtpReplays),
            _ when replay => Interlocked.Increment(ref _srtcpReplays),
            (_, false) => Interlocked.Increment(ref _srtpRtpOther),
            _ => Interlocked.Increment(ref _srtcpOther),
        };
        // Rate limit without a timer: the 1st, 10th, 100th, ... rejection of each kind is logged, so a flood of
        // forged packets costs a handful of lines while a single bad packet is still visible.
        if (IsPowerOfTen(n))
            MediaLog.SrtpRejected(_logger, LocalPort, rtcp ? "SRTCP" : "SRTP", status, n);
    }

    private static bool IsPowerOfTen(long n)
    {
        while (n >= 10 && n % 10 == 0)
            n /= 10;
        return n == 1;
    }

    private async Task RtcpLoopAsync(CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var from = new SocketAddress(_rtcpSocket.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _rtcpSocket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
            {
                continue;
            }
            catch (SocketException ex)
            {
                if (!ct.IsCancellationRequested)
                    MediaLog.ReceiveFailed(_logger, LocalPort + 1, ex);
                return;
            }
            if (n is < 8 or >= ReceiveBufferSize)
                continue;
            // Only an address the call's RTP could come from may report on it; others are not worth the crypto.
            if (!AcceptsRtcpFrom(from))
                continue;
            try
            {
                OnRtcp(buffer.AsSpan(0, n), _srtpReceiveRtcp);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // As on the RTP port: one bad packet (or a context disposed at hang-up) must not end the loop.
                MediaLog.ReceiveFailed(_logger, LocalPort + 1, ex);
            }
        }
    }
}

/// <summary>SRTP/SRTCP rejections of one media session, per stream.</summary>
/// <param name="RtpAuthenticationFailures">SRTP packets whose tag did not verify (forged, corrupted or wrong ROC).</param>
/// <param name="RtpReplays">SRTP packets already received or older than the replay window.</param>
/// <param name="RtpOther">SRTP packets malformed, with an unknown MKI, or past the key lifetime.</param>
/// <param name="RtcpAuthenticationFailures">SRTCP packets whose tag did not verify.</param>
/// <param name="RtcpReplays">SRTCP packets replayed.</param>
/// <param name="RtcpOther">SRTCP packets malformed, with an unknown MKI, or past the key lifetime.</param>
/// <param name="RtcpPackets">RTCP packets accepted (authenticated, when SRTP is on).</param>
public sealed record SrtpStatistics(long RtpAuthenticationFailures, long RtpReplays, long RtpOther,
    long RtcpAuthenticationFailures, long RtcpReplays, long RtcpOther, long RtcpPackets)
{
    /// <summary>All rejected packets, both streams.</summary>
    public long Rejected => RtpAuthenticationFailures + RtpReplays + RtpOther + RtcpAuthenticationFailures + RtcpReplays + RtcpOther;
}
