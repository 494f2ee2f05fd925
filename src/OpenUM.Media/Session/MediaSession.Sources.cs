using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Rtp;

namespace OpenUM.Media.Session;

public sealed partial class MediaSession
{
    private readonly RtpSourceLearning _sources;
    private MediaSourcePolicy _policy = MediaSourcePolicy.Default;
    // Set by Update (new SDP address); the receive thread resets its learning state before its next packet.
    private volatile bool _relearn;
    private volatile bool _everLearned;

    // The latest dropped source of each kind, for the warning at the end of a call (written by the receive thread).
    private readonly Lock _unexpectedLock = new();
    private readonly SocketAddress _lastUnexpected;
    private SocketAddress? _lastCompeting;
    private long _notAllowed, _competing, _switches, _badPayloadSize;
    private int _nothingHeardWarned;

    /// <summary>The rules this session learns its RTP source by.</summary>
    public MediaSourcePolicy SourcePolicy => _policy;

    // False when the packet must be dropped: its source is not (yet) the one the stream is learned from.
    private bool AcceptSource(SocketAddress from, in RtpHeader h, bool authenticated, long now, NegotiatedMedia media)
    {
        if (_relearn)
        {
            lock (_lock)
            {
                _relearn = false;
                _sources.Reset(_sdpSource);
            }
        }
        switch (_sources.Offer(from, h.Ssrc, h.SequenceNumber, authenticated, now))
        {
            case SourceVerdict.Accept:
                return true;
            case SourceVerdict.Learned:
                return OnLearned(switched: false, media);
            case SourceVerdict.Switched:
                return OnLearned(switched: true, media);
            case SourceVerdict.Probation:
                Interlocked.Increment(ref _ignored);
                return false;
            case SourceVerdict.Competing:
                OnUnexpected(from, notAllowed: false);
                return false;
            default:
                OnUnexpected(from, notAllowed: true);
                return false;
        }
    }

    // Runs once per learning or change of source (never per packet): the copy and the log line may allocate.
    private bool OnLearned(bool switched, NegotiatedMedia media)
    {
        var learned = Copy(_sources.Learned);
        SocketAddress? previous;
        lock (_lock)
        {
            // A re-INVITE arrived meanwhile: the packet was judged against the old address and is not used.
            if (_relearn)
                return false;
            previous = _sender.Destination;
            _sender.Destination = learned;
        }
        _everLearned = true;
        if (!switched)
        {
            if (_logger.IsEnabled(LogLevel.Information))
                MediaLog.Latched(_logger, LocalPort, RtpSourceLearning.ToEndPoint(learned), media.RemoteRtp, _sources.Probation);
            return true;
        }
        long n = Interlocked.Increment(ref _switches);
        if (MediaLog.IsPowerOfTen(n) && _logger.IsEnabled(LogLevel.Warning))
        {
            MediaLog.SourceSwitched(_logger, LocalPort, previous is null ? null : RtpSourceLearning.ToEndPoint(previous),
                RtpSourceLearning.ToEndPoint(learned), _sources.Probation, n);
        }
        return true;
    }

    private void OnUnexpected(SocketAddress from, bool notAllowed)
    {
        long n = notAllowed ? Interlocked.Increment(ref _notAllowed) : Interlocked.Increment(ref _competing);
        lock (_unexpectedLock)
        {
            if (notAllowed)
                RtpSourceLearning.Copy(from, _lastUnexpected);
            else
                RtpSourceLearning.Copy(from, _lastCompeting ??= new SocketAddress(from.Family, from.Size));
        }
        // The 1st, 10th, 100th, ... of each kind: a flood costs a handful of lines, a lone stray packet is visible.
        if (MediaLog.IsPowerOfTen(n) && _logger.IsEnabled(LogLevel.Warning))
        {
            string reason = notAllowed
                ? $"media latching {_policy.Latching} does not accept this address (SDP {(_sdpSource is { } sdp ? RtpSourceLearning.ToEndPoint(sdp) : "none")})"
                : $"the stream is learned from {(_sources.HasLearned ? RtpSourceLearning.ToEndPoint(_sources.Learned) : "another source")}";
            MediaLog.UnexpectedSource(_logger, LocalPort, RtpSourceLearning.ToEndPoint(from), reason, n);
        }
    }

    // RTCP (not interpreted yet) is taken from any address RTP could be learned from; others are not worth the crypto.
    private bool AcceptsRtcpFrom(SocketAddress from) => _sources.Rank(from) > 0;

    // G.711 carries one byte per sample: a packet must hold between half and twice the negotiated packet time.
    // Larger ones are how a peer would stretch a recording far beyond the time the call lasted.
    private bool PayloadFits(int length, NegotiatedMedia media)
    {
        int frame = media.SamplesPerFrame;
        if (length >= frame / 2 && length <= frame * 2)
            return true;
        long n = Interlocked.Increment(ref _badPayloadSize);
        if (MediaLog.IsPowerOfTen(n) && _logger.IsEnabled(LogLevel.Warning))
            MediaLog.PayloadSizeRejected(_logger, LocalPort, length, media.PtimeMs, frame / 2, frame * 2, n);
        return false;
    }

    /// <summary>
    /// Raises 2315 once per call when nothing was heard but packets from other sources were dropped: at the end of
    /// an empty recording (<paramref name="wavPath"/>), or at hang-up (null) when no source was ever learned.
    /// </summary>
    private void WarnIfNothingHeard(string? wavPath)
    {
        long notAllowed = Interlocked.Read(ref _notAllowed), competing = Interlocked.Read(ref _competing);
        if (notAllowed + competing == 0 || (wavPath is null && _everLearned))
            return;
        if (Interlocked.Exchange(ref _nothingHeardWarned, 1) != 0)
            return;
        IPEndPoint source;
        lock (_unexpectedLock)
            source = RtpSourceLearning.ToEndPoint(notAllowed > 0 || _lastCompeting is null ? _lastUnexpected : _lastCompeting);
        MediaLog.NothingHeard(_logger, LocalPort, wavPath ?? "no recording", notAllowed + competing, source, _policy.Latching,
            notAllowed > 0 ? Advice(source.Address) : "another source held the stream, and a source that has not earned it may not take it over (a stranger could otherwise take the call's audio)");
    }

    private string Advice(IPAddress source)
    {
        static IPAddress Plain(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
        var latching = _policy.Latching == MediaLatching.SdpOnly && _policy.SignallingPeer is { } peer && Plain(peer).Equals(Plain(source))
            ? MediaLatching.SignallingOrSdp
            : MediaLatching.Any;
        return $"if {Plain(source)} is where the gateway's media comes from (NAT, a multi-homed host), allow it with: "
            + $"openum gateway set {ShellWord(_policy.GatewayName ?? "<gateway>")} --media-latching {latching}";
    }

    // The advice is meant to be pasted into a shell: a name with spaces or quotes is single-quoted.
    private static string ShellWord(string word) =>
        word.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') ? word : "'" + word.Replace("'", "'\\''") + "'";

    private static SocketAddress Copy(SocketAddress from)
    {
        var copy = new SocketAddress(from.Family, from.Size);
        RtpSourceLearning.Copy(from, copy);
        return copy;
    }
}
