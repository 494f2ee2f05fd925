using System.Net;
using System.Net.Sockets;

namespace OpenUM.Media.Session;

/// <summary>What <see cref="RtpSourceLearning.Offer"/> decided about one packet.</summary>
internal enum SourceVerdict
{
    /// <summary>From the learned source: use it.</summary>
    Accept,
    /// <summary>This packet completed the first learning: use it (and answer its source).</summary>
    Learned,
    /// <summary>This packet moved the stream to a new source: use it.</summary>
    Switched,
    /// <summary>From an allowed source that has not yet sent enough packets in sequence: dropped.</summary>
    Probation,
    /// <summary>From an allowed source that may not replace the learned one: dropped and counted as unexpected.</summary>
    Competing,
    /// <summary>From an address the policy does not allow: dropped and counted as unexpected.</summary>
    NotAllowed,
}

/// <summary>
/// Learns where a call's RTP comes from (receive thread only; no allocation per packet).
/// </summary>
/// <remarks>
/// Addresses rank by how well they match what the call said: the SDP address and port exactly (3; symmetric RTP
/// without NAT), the SDP host or, unless SdpOnly, the signalling peer's host on any port (2; NAT, multi-homed
/// hosts), any other address only with <see cref="MediaLatching.Any"/> (1). A source is learned once it has sent
/// <c>probation</c> packets in a row with consecutive sequence numbers and the same SSRC (one authenticated packet
/// with SRTP, for the first learning). Once learned, a new source must earn a new run of <c>probation</c> packets
/// and, in addition, either rank higher (the real stream from the SDP port replaces a stranger from another port)
/// or find the learned source silent for <see cref="QuietBeforeSwitch"/> (NAT rebinding, where the old mapping
/// stops). A source of lower rank never replaces the learned one, and two streams sending at once cannot take
/// turns: whoever holds the stream keeps it while it keeps sending.
/// </remarks>
internal sealed class RtpSourceLearning
{
    /// <summary>Sources tracked at once while learning; more evict the one with the shortest run.</summary>
    internal const int CandidateSlots = 4;

    /// <summary>How long the learned source must be silent before a source of the same rank may replace it.</summary>
    internal static readonly TimeSpan QuietBeforeSwitch = TimeSpan.FromMilliseconds(500);

    private const int RankNotAllowed = 0, RankAny = 1, RankKnownHost = 2, RankExactSdp = 3;

    private readonly TimeProvider _time;
    private readonly Candidate[] _candidates = new Candidate[CandidateSlots];
    private readonly SocketAddress _learned;
    private MediaLatching _latching = MediaLatching.SignallingOrSdp;
    private int _probation = MediaSourcePolicy.DefaultProbation;
    private SocketAddress? _sdp, _signalling;
    private bool _haveLearned;
    private int _learnedRank;
    private long _learnedLastSeen;

    public RtpSourceLearning(AddressFamily family, TimeProvider time)
    {
        _time = time;
        _learned = new SocketAddress(family);
        for (int i = 0; i < _candidates.Length; i++)
            _candidates[i] = new Candidate(new SocketAddress(family));
    }

    /// <summary>True once a source has been learned (until <see cref="Reset"/>).</summary>
    public bool HasLearned => _haveLearned;

    /// <summary>The learned source; meaningful only while <see cref="HasLearned"/>. Owned by the receive thread.</summary>
    public SocketAddress Learned => _learned;

    /// <summary>Packets in sequence needed to learn a plain RTP source.</summary>
    public int Probation => _probation;

    /// <summary>Which addresses may be learned.</summary>
    public MediaLatching Latching => _latching;

    /// <summary>Sets the policy (addresses in the socket's family) and forgets everything learned.</summary>
    public void Configure(MediaLatching latching, int probation, SocketAddress? sdp, SocketAddress? signalling)
    {
        if (probation is < MediaSourcePolicy.MinProbation or > MediaSourcePolicy.MaxProbation)
            throw new ArgumentOutOfRangeException(nameof(probation), probation,
                $"Probation must be {MediaSourcePolicy.MinProbation}-{MediaSourcePolicy.MaxProbation} packets.");
        (_latching, _probation, _signalling) = (latching, probation, signalling);
        Reset(sdp);
    }

    /// <summary>A new SDP address (re-INVITE): everything learned is forgotten and the stream is learned again.</summary>
    public void Reset(SocketAddress? sdp)
    {
        _sdp = sdp;
        _haveLearned = false;
        _learnedRank = RankNotAllowed;
        foreach (var c in _candidates)
            c.Used = false;
    }

    // Compares only the IP address bytes of two sockaddrs (sockaddr_in: 4 bytes at offset 4; sockaddr_in6: 16 bytes
    // at offset 8), so the port, IPv6 flow info and scope id do not matter; no allocation on the receive path.
    internal static bool SameHost(SocketAddress a, SocketAddress b)
    {
        if (a.Family != b.Family)
            return false;
        (int offset, int length) = a.Family switch
        {
            AddressFamily.InterNetwork => (4, 4),
            AddressFamily.InterNetworkV6 => (8, 16),
            _ => (0, 0),
        };
        if (length == 0 || a.Size < offset + length || b.Size < offset + length)
            return false;
        return a.Buffer.Span.Slice(offset, length).SequenceEqual(b.Buffer.Span.Slice(offset, length));
    }

    /// <summary>How well <paramref name="from"/> matches the call (0 = not allowed).</summary>
    public int Rank(SocketAddress from)
    {
        if (_sdp is { } sdp)
        {
            if (from.Equals(sdp))
                return RankExactSdp;
            if (SameHost(from, sdp))
                return RankKnownHost;
        }
        if (_latching != MediaLatching.SdpOnly && _signalling is { } sig && SameHost(from, sig))
            return RankKnownHost;
        return _latching == MediaLatching.Any ? RankAny : RankNotAllowed;
    }

    /// <summary>Decides about one valid packet (negotiated payload type; authenticated when SRTP is on).</summary>
    public SourceVerdict Offer(SocketAddress from, uint ssrc, ushort seq, bool authenticated, long now)
    {
        if (_haveLearned && from.Equals(_learned))
        {
            _learnedLastSeen = now;
            return SourceVerdict.Accept;
        }
        int rank = Rank(from);
        if (rank == RankNotAllowed)
            return SourceVerdict.NotAllowed;
        var candidate = Track(from, ssrc, seq, now);
        if (_haveLearned)
        {
            // The run is tracked either way, so a source that has earned it takes over as soon as it may.
            bool mayReplace = rank > _learnedRank
                || (rank == _learnedRank && _time.GetElapsedTime(_learnedLastSeen, now) >= QuietBeforeSwitch);
            if (!mayReplace)
                return SourceVerdict.Competing;
            if (candidate.Run < _probation)
                return SourceVerdict.Probation;
            Learn(candidate, rank, now);
            return SourceVerdict.Switched;
        }
        // SRTP: an authenticated packet already proves its sender holds the key; no run is needed the first time.
        if (candidate.Run < (authenticated ? 1 : _probation))
            return SourceVerdict.Probation;
        Learn(candidate, rank, now);
        return SourceVerdict.Learned;
    }

    private Candidate Track(SocketAddress from, uint ssrc, ushort seq, long now)
    {
        Candidate? slot = null;
        foreach (var c in _candidates)
        {
            if (c.Used && c.Address.Equals(from))
            {
                slot = c;
                break;
            }
        }
        if (slot is null)
        {
            slot = Evictable();
            Copy(from, slot.Address);
            slot.Used = true;
            slot.Run = 0;
        }
        // Consecutive means the next sequence number (16-bit, so 65535 is followed by 0) of the same SSRC; anything
        // else, a duplicate included, starts the run again from this packet.
        if (slot.Run > 0 && slot.Ssrc == ssrc && seq == slot.NextSeq)
        {
            if (slot.Run < int.MaxValue)
                slot.Run++;
        }
        else
        {
            slot.Run = 1;
        }
        slot.Ssrc = ssrc;
        slot.NextSeq = (ushort)(seq + 1);
        slot.LastSeen = now;
        return slot;
    }

    // A free slot, else the one with the shortest run (the least recently seen among equals): a stranger spraying
    // packets from many ports evicts its own one-packet runs, not a stream that is earning its probation.
    private Candidate Evictable()
    {
        Candidate? best = null;
        foreach (var c in _candidates)
        {
            if (!c.Used)
                return c;
            if (best is null || c.Run < best.Run || (c.Run == best.Run && c.LastSeen < best.LastSeen))
                best = c;
        }
        return best!;
    }

    private void Learn(Candidate candidate, int rank, long now)
    {
        Copy(candidate.Address, _learned);
        _haveLearned = true;
        _learnedRank = rank;
        _learnedLastSeen = now;
        // Runs are earned against the source that holds the stream; they start again against the new one.
        foreach (var c in _candidates)
            c.Used = false;
    }

    internal static void Copy(SocketAddress from, SocketAddress to)
    {
        to.Size = from.Size;
        from.Buffer.Span[..from.Size].CopyTo(to.Buffer.Span);
    }

    private sealed class Candidate(SocketAddress address)
    {
        public readonly SocketAddress Address = address;
        public bool Used;
        public uint Ssrc;
        public ushort NextSeq;
        public int Run;
        public long LastSeen;
    }

    /// <summary>For log lines only (allocates): the address as an endpoint.</summary>
    internal static IPEndPoint ToEndPoint(SocketAddress address)
    {
        var any = new IPEndPoint(address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        return (IPEndPoint)any.Create(address);
    }
}
