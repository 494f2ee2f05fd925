using OpenUM.Media.Srtp;
using Microsoft.Extensions.Logging;

namespace OpenUM.Media.Session;

/// <summary>
/// The SRTP contexts of one media session: the send context, the receive contexts of the RTP and RTCP ports, the
/// keys of every negotiation applied, and the count of what was rejected.
/// </summary>
/// <remarks>
/// <see cref="Apply"/> and <see cref="Dispose"/> run under the session's lock (they change the contexts together
/// with the negotiated media); the packet paths take no lock and read each context once through a volatile field.
/// A context replaced by a re-INVITE may still be in use for one more packet, so it is retired, not disposed, until
/// the session ends.
/// </remarks>
internal sealed class MediaSecurity(ILogger logger, int localPort) : IDisposable
{
    // The send context is used by the clock thread only; the RTP and the RTCP receive loops run concurrently, so
    // each has its own receive context (same keys, separate state). SRTCP multiplexed on the RTP port (RFC 5761) is
    // checked by the RTP loop's context, so its replay window is not shared with the RTCP port's: harmless while RTCP
    // is only counted.
    private volatile SrtpContext? _send, _receiveRtp, _receiveRtcp;
    private readonly List<SrtpContext> _retired = [];
    private readonly List<SrtpMasterKey> _masterKeys = [];
    private long _rtpAuthFailures, _rtpReplays, _rtpOther, _rtcpAuthFailures, _rtcpReplays, _rtcpOther, _rtcpPackets;

    /// <summary>SRTP/SRTCP rejections so far, per stream (zeros without SRTP).</summary>
    public SrtpStatistics Statistics => new(
        Interlocked.Read(ref _rtpAuthFailures), Interlocked.Read(ref _rtpReplays), Interlocked.Read(ref _rtpOther),
        Interlocked.Read(ref _rtcpAuthFailures), Interlocked.Read(ref _rtcpReplays), Interlocked.Read(ref _rtcpOther),
        Interlocked.Read(ref _rtcpPackets));

    /// <summary>True while media is protected with SRTP.</summary>
    public bool IsSecure => _send is not null;

    /// <summary>Applies a negotiation (null: clear RTP); called under the session's lock.</summary>
    /// <remarks>
    /// A re-INVITE that keeps a direction's key keeps its context: RFC 4568 lets the peer keep its key, and a fresh
    /// context would restart the rollover counter (every packet fails once the sequence number wraps, ~22 minutes
    /// later) and forget the replay window (packets from before the re-INVITE could be replayed).
    /// </remarks>
    public void Apply(SrtpSession? srtp, SrtpSession? previous = null)
    {
        if (srtp is not null)
        {
            _masterKeys.Add(srtp.Send.Key);
            _masterKeys.Add(srtp.Receive.Key);
        }
        if (srtp is null || previous is null || !SameKey(srtp.Send, previous.Send))
        {
            Retire(_send);
            _send = srtp is null ? null : new SrtpContext(srtp.Send);
        }
        if (srtp is null || previous is null || !SameKey(srtp.Receive, previous.Receive))
        {
            Retire(_receiveRtp);
            Retire(_receiveRtcp);
            (_receiveRtp, _receiveRtcp) = srtp is null ? (null, null) : (new SrtpContext(srtp.Receive), new SrtpContext(srtp.Receive));
        }
    }

    private static bool SameKey(SrtpPolicy a, SrtpPolicy b) =>
        a.Key.Suite == b.Key.Suite && a.ReplayWindow == b.ReplayWindow
        && a.Key.Key.Span.SequenceEqual(b.Key.Key.Span) && a.Key.Salt.Span.SequenceEqual(b.Key.Salt.Span)
        && a.Key.Mki.Span.SequenceEqual(b.Key.Mki.Span);

    private void Retire(SrtpContext? context)
    {
        if (context is not null)
            _retired.Add(context);
    }

    /// <summary>Disposes every context and master key; called under the session's lock, after playout stopped.</summary>
    public void Dispose()
    {
        Retire(_send);
        Retire(_receiveRtp);
        Retire(_receiveRtcp);
        (_send, _receiveRtp, _receiveRtcp) = (null, null, null);
        foreach (var context in _retired)
            context.Dispose();
        _retired.Clear();
        foreach (var key in _masterKeys)
            key.Dispose();
        _masterKeys.Clear();
    }

    /// <summary>
    /// Protects an RTP packet in place for sending (clock thread). True when it may go out: protected, or SRTP is
    /// off; false (with the status) when it must not, and clear audio must never replace it.
    /// </summary>
    public bool TryProtectRtp(byte[] packet, ref int length, out SrtpStatus status)
    {
        status = SrtpStatus.Ok;
        if (_send is not { } srtp)
            return true;
        status = srtp.ProtectRtp(packet, length, out length);
        return status == SrtpStatus.Ok;
    }

    /// <summary>
    /// Authenticates and decrypts a received RTP packet in place (RTP receive loop). False when it must be dropped
    /// (counted and logged); otherwise <paramref name="packet"/> is the plain packet, and
    /// <paramref name="authenticated"/> says whether SRTP vouched for it.
    /// </summary>
    public bool TryUnprotectRtp(ref Span<byte> packet, out bool authenticated)
    {
        authenticated = false;
        if (_receiveRtp is not { } srtp)
            return true;
        var status = srtp.UnprotectRtp(packet, out int plain);
        if (status != SrtpStatus.Ok)
        {
            CountRejection(status, rtcp: false);
            return false;
        }
        packet = packet[..plain];
        authenticated = true;
        return true;
    }

    /// <summary>Checks an RTCP packet (SRTCP when SRTP is on) and counts it; <paramref name="onRtpPort"/> for RFC 5761 multiplexing.</summary>
    public void OnRtcp(Span<byte> packet, bool onRtpPort)
    {
        // Each receive loop has its own context: see the fields.
        if ((onRtpPort ? _receiveRtp : _receiveRtcp) is { } srtp)
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
            (SrtpStatus.AuthenticationFailed, false) => Interlocked.Increment(ref _rtpAuthFailures),
            (SrtpStatus.AuthenticationFailed, true) => Interlocked.Increment(ref _rtcpAuthFailures),
            _ when replay && !rtcp => Interlocked.Increment(ref _rtpReplays),
            _ when replay => Interlocked.Increment(ref _rtcpReplays),
            (_, false) => Interlocked.Increment(ref _rtpOther),
            _ => Interlocked.Increment(ref _rtcpOther),
        };
        if (MediaLog.IsPowerOfTen(n))
            MediaLog.SrtpRejected(logger, localPort, rtcp ? "SRTCP" : "SRTP", status, n);
    }
}
