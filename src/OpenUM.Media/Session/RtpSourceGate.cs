using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Rtp;

namespace OpenUM.Media.Session;

/// <summary>
/// Lets through only packets from the source the stream is learned from (<see cref="RtpSourceLearning"/>), points
/// the sender at that source once learned, and accounts for the others: counted, logged (2314, 2316, rate-limited),
/// and summed up at the end of a call that heard nothing (2315).
/// </summary>
/// <remarks>
/// The learning state is the receive thread's. The SIP side sets the policy and the SDP address under the session's
/// lock (<see cref="Configure"/>, <see cref="Readdress"/>); a new address is applied by the receive thread before its
/// next packet, and a source learned meanwhile is not used, so a re-INVITE always wins over a packet judged against
/// the old address.
/// </remarks>
internal sealed class RtpSourceGate
{
    private readonly int _localPort;
    private readonly Lock _lock;
    private readonly RtpSender _sender;
    private readonly ILogger _logger;
    private readonly RtpSourceLearning _sources;
    private MediaSourcePolicy _policy = MediaSourcePolicy.Default;
    // The SDP remote address in the socket's family.
    private volatile SocketAddress? _sdpSource;
    // Set by Readdress (new SDP address); the receive thread resets its learning state before its next packet.
    private volatile bool _relearn;
    private volatile bool _everLearned;
    // When the current source was learned (receive thread): keys from a source other than the SDP's own wait for it.
    private long _learnedAt;
    private readonly long _keyProbation;

    // The latest dropped source of each kind, for the warning at the end of a call (written by the receive thread).
    private readonly Lock _unexpectedLock = new();
    private readonly SocketAddress _lastUnexpected;
    private SocketAddress? _lastCompeting;
    private long _notAllowed, _competing, _switches, _onProbation;
    private int _nothingHeardWarned;

    /// <param name="family">The socket's address family (addresses are compared in it).</param>
    /// <param name="localPort">The RTP port, for log lines.</param>
    /// <param name="sessionLock">The session's lock: guards the SDP address and the sender's destination.</param>
    /// <param name="sender">Sends to the learned source.</param>
    /// <param name="time">The clock's time (a learned source's silence).</param>
    /// <param name="logger">For learned, switched and unexpected sources.</param>
    public RtpSourceGate(AddressFamily family, int localPort, Lock sessionLock, RtpSender sender, TimeProvider time, ILogger logger)
    {
        (_localPort, _lock, _sender, _logger) = (localPort, sessionLock, sender, logger);
        _keyProbation = (long)(KeyProbation.TotalSeconds * time.TimestampFrequency);
        _sources = new RtpSourceLearning(family, time);
        _lastUnexpected = new SocketAddress(family);
    }

    /// <summary>The rules sources are learned by.</summary>
    public MediaSourcePolicy Policy => _policy;

    /// <summary>Packets dropped from sources that may not send (not allowed, or competing with the learned one).</summary>
    public long Unexpected => Interlocked.Read(ref _notAllowed) + Interlocked.Read(ref _competing);

    /// <summary>Packets dropped from allowed sources still earning their run.</summary>
    public long OnProbation => Interlocked.Read(ref _onProbation);

    /// <summary>Sets the policy and the SDP address (Start, under the session's lock, before the receive loop runs).</summary>
    public void Configure(MediaSourcePolicy policy, SocketAddress sdp, SocketAddress? signalling)
    {
        _sdpSource = sdp;
        _policy = policy;
        _sources.Configure(policy.Latching, policy.Probation, sdp, signalling);
    }

    /// <summary>A re-INVITE's new SDP address (under the session's lock): the stream is learned again.</summary>
    public void Readdress(SocketAddress sdp)
    {
        _sdpSource = sdp;
        _relearn = true;
    }

    /// <summary>
    /// How long a source other than the SDP's own address and port must have been the learned one before its key
    /// presses are obeyed. A stranger who guesses the port can be learned before the caller's first packet; the
    /// caller's stream from its SDP address replaces it at once, so the stranger never holds the latch this long.
    /// A NAT'd or asymmetric caller only has the keys of its first seconds ignored.
    /// </summary>
    public static readonly TimeSpan KeyProbation = TimeSpan.FromSeconds(2);

    /// <summary>Whether a key press from <paramref name="from"/> (an accepted packet) may be obeyed (receive thread).</summary>
    public bool TrustsKeysFrom(SocketAddress from, long now) =>
        (_sdpSource is { } sdp && from.Equals(sdp)) || now - Volatile.Read(ref _learnedAt) >= _keyProbation;

    /// <summary>False when the packet must be dropped: its source is not (yet) the one the stream is learned from.</summary>
    public bool Accept(SocketAddress from, in RtpHeader h, bool authenticated, long now, NegotiatedMedia media)
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
                Volatile.Write(ref _learnedAt, now);
                return OnLearned(switched: false, media);
            case SourceVerdict.Switched:
                Volatile.Write(ref _learnedAt, now);
                return OnLearned(switched: true, media);
            case SourceVerdict.Probation:
                Interlocked.Increment(ref _onProbation);
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
                MediaLog.Latched(_logger, _localPort, RtpSourceLearning.ToEndPoint(learned), media.RemoteRtp, _sources.Probation);
            return true;
        }
        long n = Interlocked.Increment(ref _switches);
        if (MediaLog.IsPowerOfTen(n) && _logger.IsEnabled(LogLevel.Warning))
        {
            MediaLog.SourceSwitched(_logger, _localPort, previous is null ? null : RtpSourceLearning.ToEndPoint(previous),
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
        if (MediaLog.IsPowerOfTen(n) && _logger.IsEnabled(LogLevel.Warning))
        {
            string reason = notAllowed
                ? $"media latching {_policy.Latching} does not accept this address (SDP {(_sdpSource is { } sdp ? RtpSourceLearning.ToEndPoint(sdp) : "none")})"
                : $"the stream is learned from {(_sources.HasLearned ? RtpSourceLearning.ToEndPoint(_sources.Learned) : "another source")}";
            MediaLog.UnexpectedSource(_logger, _localPort, RtpSourceLearning.ToEndPoint(from), reason, n);
        }
    }

    /// <summary>RTCP (not interpreted yet) is taken from any address RTP could be learned from; others are not worth the crypto.</summary>
    public bool AcceptsRtcpFrom(SocketAddress from) => _sources.Rank(from) > 0;

    /// <summary>
    /// Raises 2315 once per call when nothing was heard but packets from other sources were dropped: at the end of
    /// an empty recording (<paramref name="wavPath"/>), or at hang-up (null) when no source was ever learned.
    /// </summary>
    public void WarnIfNothingHeard(string? wavPath)
    {
        long notAllowed = Interlocked.Read(ref _notAllowed), competing = Interlocked.Read(ref _competing);
        if (notAllowed + competing == 0 || (wavPath is null && _everLearned))
            return;
        if (Interlocked.Exchange(ref _nothingHeardWarned, 1) != 0)
            return;
        IPEndPoint source;
        lock (_unexpectedLock)
            source = RtpSourceLearning.ToEndPoint(notAllowed > 0 || _lastCompeting is null ? _lastUnexpected : _lastCompeting);
        MediaLog.NothingHeard(_logger, _localPort, wavPath ?? "no recording", notAllowed + competing, source, _policy.Latching,
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
