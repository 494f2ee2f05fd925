using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Audio;

namespace OpenUM.Media.Session;

/// <summary>
/// One call's RTP stream: a UDP socket on an even port, a receive loop (DTMF, recording), and playout paced by
/// the shared <see cref="MediaClock"/>. With SRTP (a Secured dial plan) every packet is protected before it is sent
/// and authenticated before anything else looks at it. RTCP is received (and SRTCP authenticated and counted) but
/// not interpreted, and none is sent yet.
/// </summary>
/// <remarks>
/// Symmetric RTP with source learning (<see cref="MediaSourcePolicy"/>): packets go to the SDP address until a
/// source is learned, then to that source. A source is learned after a run of consecutive in-sequence packets from
/// an address the gateway's MediaLatching allows (the SDP host, the signalling peer's host, or any address); the
/// port may differ (NAT), and the host too when the gateway says so. Packets from any other source are never
/// recorded, never answered and never count as key presses: otherwise anyone who guesses the port and sends first
/// wins the call's audio ("RTP bleed"). They are counted, logged (2314, rate-limited), and a call that heard
/// nothing while they arrived says so (2315). A re-INVITE with a new address (<see cref="Update"/>) starts the
/// learning again. See <see cref="RtpSourceLearning"/> for when a learned source may be replaced.
/// </remarks>
public sealed class MediaSession : IAsyncDisposable, IPacedSource
{
    private readonly RtpSocketPair _pair;
    private readonly RtpPortRange _ports;
    private readonly MediaClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // One lock for the session and its parts: the negotiated media, the send address, the SDP address and the SRTP
    // contexts change together under it (Start, Update, a learned source), and the clock's tick sends under it.
    private readonly Lock _lock = new();
    private readonly MediaSecurity _security;
    private readonly RtpSender _sender;
    private readonly RtpSourceGate _gate;
    private readonly RtpReceiver _receiver;
    private volatile NegotiatedMedia? _media;
    private volatile bool _disposed;
    // Claimed under _lock before the file is created and released after it is complete: one recording at a time.
    private bool _recording;

    private MediaSession(RtpSocketPair pair, RtpPortRange ports, MediaClock clock, ILogger logger)
    {
        _pair = pair;
        LocalPort = pair.Port;
        LocalAddress = pair.Address;
        _ports = ports;
        _clock = clock;
        _time = clock.TimeProvider;
        _logger = logger;
        _security = new MediaSecurity(logger, LocalPort);
        _sender = new RtpSender(pair.Rtp, LocalPort, _lock, _security, clock, this, logger);
        _gate = new RtpSourceGate(pair.Rtp.AddressFamily, LocalPort, _lock, _sender, _time, logger);
        _receiver = new RtpReceiver(LocalPort, _gate, _security, _time, logger);
    }

    /// <summary>
    /// Takes an idle socket pair the range keeps (<see cref="RtpPortRange"/>), or binds a UDP socket on a random free
    /// even port of <paramref name="ports"/> and one on the next (ports in use by other processes are skipped).
    /// </summary>
    public static MediaSession Open(IPAddress bindAddress, RtpPortRange ports, MediaClock clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bindAddress);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        var pair = ports.TryTakeIdle(bindAddress) ?? Bind(bindAddress, ports, clock.TimeProvider, logger);
        var session = new MediaSession(pair, ports, clock, logger);
        MediaLog.SessionOpened(logger, pair.Port);
        return session;
    }

    private static RtpSocketPair Bind(IPAddress bindAddress, RtpPortRange ports, TimeProvider time, ILogger logger)
    {
        // Ports taken by other processes stay rented until we are done: with random renting, returning them at once
        // could hand the same busy port back again and again while free ones remain untried.
        List<int>? busy = null;
        try
        {
            while (ports.TryRent(out int port))
            {
                try
                {
                    return RtpSocketPair.Bind(bindAddress, port, time, logger);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
                {
                    (busy ??= []).Add(port);
                }
                catch
                {
                    ports.Return(port);
                    throw;
                }
            }
        }
        finally
        {
            if (busy is not null)
            {
                foreach (int port in busy)
                    ports.Return(port);
            }
        }
        throw new SocketException((int)SocketError.AddressAlreadyInUse,
            $"No free RTP port in {ports.First}-{ports.Last} on {bindAddress}");
    }

    /// <summary>The bound RTP port (even).</summary>
    public int LocalPort { get; }

    /// <summary>The address the socket is bound to (may be a wildcard; advertise a real one in SDP).</summary>
    public IPAddress LocalAddress { get; }

    /// <summary>The media currently negotiated, or null before <see cref="Start(NegotiatedMedia)"/>.</summary>
    public NegotiatedMedia? Media => _media;

    /// <summary>Raised on the receive thread once per RFC 4733 key press (0-9, *, #, A-D).</summary>
    public event Action<char>? DtmfReceived
    {
        add => _receiver.DtmfReceived += value;
        remove => _receiver.DtmfReceived -= value;
    }

    /// <summary>
    /// Raised once on the receive thread when the caller's audio carries the fax calling tone (CNG, see
    /// <see cref="CngDetector"/>), between <see cref="StartFaxToneDetection"/> and <see cref="StopFaxToneDetection"/>.
    /// </summary>
    public event Action? FaxToneDetected
    {
        add => _receiver.FaxToneDetected += value;
        remove => _receiver.FaxToneDetected -= value;
    }

    /// <summary>Starts watching the caller's audio (from the learned source only) for the fax calling tone, afresh.</summary>
    public void StartFaxToneDetection() => _receiver.FaxToneDetector = new CngDetector();

    /// <summary>Stops watching for the fax calling tone; a tone heard later raises nothing.</summary>
    public void StopFaxToneDetection() => _receiver.FaxToneDetector = null;

    /// <summary>A snapshot of the counters.</summary>
    public MediaStatistics Statistics => _receiver.Statistics(_sender.PacketsSent, _sender.BytesSent);

    /// <summary>SRTP/SRTCP rejections of this session so far, per stream (zeros without SRTP).</summary>
    public SrtpStatistics SrtpStatistics => _security.Statistics;

    /// <summary>True while the session protects its media with SRTP.</summary>
    public bool IsSecure => _security.IsSecure;

    /// <summary>The rules this session learns its RTP source by.</summary>
    public MediaSourcePolicy SourcePolicy => _gate.Policy;

    // Test hooks: datagrams the receive loop has finished with, and one datagram handled as if it had arrived.
    internal long DatagramsHandled => _receiver.DatagramsHandled;

    internal void OnDatagram(Span<byte> packet, SocketAddress from) => _receiver.OnDatagram(packet, from);

    // Test hooks: the session's socket pair (its drops, its wake, its close, its flush), and the running recording.
    internal RtpSocketPair Pair => _pair;

    internal Recorder? Recording => _receiver.Recorder;

    /// <summary>Starts receiving, and sending when the direction allows it; sources are learned by <see cref="MediaSourcePolicy.Default"/>.</summary>
    public void Start(NegotiatedMedia media) => Start(media, MediaSourcePolicy.Default);

    /// <summary>
    /// Starts receiving, and sending when the direction allows it; <paramref name="sources"/> says where RTP may come
    /// from. Datagrams that arrived before are dropped: start before the answer leaves.
    /// </summary>
    public void Start(NegotiatedMedia media, MediaSourcePolicy sources)
    {
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(sources);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Enum.IsDefined(sources.Latching))
            throw new ArgumentOutOfRangeException(nameof(sources), sources.Latching, "Unknown MediaLatching.");
        if (sources.Probation is < MediaSourcePolicy.MinProbation or > MediaSourcePolicy.MaxProbation)
            throw new ArgumentOutOfRangeException(nameof(sources), sources.Probation,
                $"Probation must be {MediaSourcePolicy.MinProbation}-{MediaSourcePolicy.MaxProbation} packets.");
        lock (_lock)
        {
            // Checked again under the lock: a loop started after DisposeAsync looked would never be ended.
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_media is not null)
                throw new InvalidOperationException("The media session is already started; use Update for a re-INVITE.");
            var sdp = ToSocketAddress(media.RemoteRtp);
            _sender.Destination = sdp;
            var signalling = sources.SignallingPeer is { } peer ? ToSocketAddress(new IPEndPoint(peer, 0)) : null;
            _gate.Configure(sources, sdp, signalling);
            _security.Apply(media.Srtp);
            SetMedia(media);
            // Under the lock, after the check above: a session disposed meanwhile never gets the pair's datagrams.
            _pair.Attach(_receiver);
        }
    }

    /// <summary>Applies a re-negotiation (hold, resume, new address or codec). A new remote address starts the source learning again.</summary>
    public void Update(NegotiatedMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_lock)
        {
            var old = _media ?? throw new InvalidOperationException("Start the media session before updating it.");
            if (!old.RemoteRtp.Equals(media.RemoteRtp))
            {
                var sdp = ToSocketAddress(media.RemoteRtp);
                _sender.Destination = sdp;
                _gate.Readdress(sdp);
            }
            if (!ReferenceEquals(old.Srtp, media.Srtp))
                _security.Apply(media.Srtp, old.Srtp);
            SetMedia(media);
        }
    }

    // Under _lock. The session, the sender and the receiver each read the media without taking the lock.
    private void SetMedia(NegotiatedMedia media)
    {
        _media = media;
        _sender.Media = media;
        _receiver.Media = media;
    }

    private SocketAddress ToSocketAddress(IPEndPoint ep)
    {
        // A dual-mode IPv6 socket needs IPv4 peers as IPv4-mapped addresses; an IPv4 socket sees mapped ones as IPv4.
        var family = _pair.Rtp.AddressFamily;
        if (family == AddressFamily.InterNetworkV6 && ep.AddressFamily == AddressFamily.InterNetwork)
            ep = new IPEndPoint(ep.Address.MapToIPv6(), ep.Port);
        else if (family == AddressFamily.InterNetwork && ep.Address.IsIPv4MappedToIPv6)
            ep = new IPEndPoint(ep.Address.MapToIPv4(), ep.Port);
        return ep.Serialize();
    }

    /// <summary>Plays a clip in ptime frames paced by the <see cref="MediaClock"/>; completes after its last frame was sent. While on hold the frames are consumed but not sent.</summary>
    public Task PlayAsync(AudioClip clip, CancellationToken ct) => _sender.PlayAsync(clip, ct);

    /// <summary>Sends one RFC 4733 key press (100 ms, marker on the first packet, three end packets); audio pauses meanwhile.</summary>
    public Task SendDtmfAsync(char digit, CancellationToken ct) => _sender.SendDtmfAsync(digit, ct);

    bool IPacedSource.HasWork
    {
        get
        {
            lock (_lock)
                return !_disposed && (_sender.HasQueued || _receiver.Recorder is { Stopped.IsCompleted: false });
        }
    }

    // The session stays on the clock while it plays or records: the tick also checks the recording's idle deadline,
    // so there is no timer per recording (DESIGN: one pacing loop, no per-call timers).
    bool IPacedSource.OnTick(long now)
    {
        if (_disposed)
            return false;
        bool recording = _receiver.Recorder is { } recorder && recorder.CheckIdle(now);
        return _sender.Tick(now) | recording;
    }

    /// <summary>
    /// Records what the peer sends into a new 8 kHz PCM16 WAV file (owner-only permissions; an existing file is an
    /// <see cref="IOException"/>, never overwritten), streamed to disk, until the stop digit, the idle timeout (no
    /// packets or only frames below about -50 dBFS, measured with the clock's TimeProvider and checked on the
    /// clock's tick; not while datagrams wait unread on the socket, for one more idle timeout at most), the maximum
    /// duration (of audio, or of time on the clock), or cancellation (BYE: the datagrams already queued are recorded
    /// first). The file never holds more audio than the time since the recording started plus half a second. One recording at a time.
    /// A write error (disk full...) ends the recording as <see cref="RecordingStopReason.WriteFailed"/>, keeping what
    /// landed with a header that says so; it is not thrown. Creating the file can still throw <see cref="IOException"/>.
    /// </summary>
    public async Task<RecordingResult> RecordAsync(string wavPath, RecordingLimits limits, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(wavPath);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MaxDuration <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(limits), "MaxDuration must be positive.");
        if (limits.IdleTimeout <= TimeSpan.Zero && limits.IdleTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(limits), "IdleTimeout must be positive (or infinite).");
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_media is null)
            throw new InvalidOperationException("Start the media session before recording.");
        // The idle timeout is checked by the clock's tick; without a clock it would never fire.
        ObjectDisposedException.ThrowIf(_clock.IsDisposed, _clock);

        // Claim first, create the file second: a second call must fail without touching the file system
        // (it used to create its file before the check, truncating the running recording when the paths matched).
        lock (_lock)
        {
            if (_recording)
                throw new InvalidOperationException("A recording is already in progress on this session.");
            _recording = true;
        }
        Recorder recorder;
        try
        {
            recorder = new Recorder(wavPath, limits, _time, _logger) { Queued = _pair.RtpQueued };
        }
        catch
        {
            ReleaseRecording();
            throw;
        }

        RecordingStopReason reason;
        try
        {
            recorder.Start();
            _receiver.Recorder = recorder;
            // Keeps the clock ticking while the recording runs, even when nothing plays (idle deadline check).
            _clock.Activate(this);
            if (_disposed)
                recorder.RequestStop(RecordingStopReason.Cancelled);
            using (ct.UnsafeRegister(static s => ((Recorder)s!).RequestStop(RecordingStopReason.Cancelled), recorder))
                reason = await recorder.Stopped.ConfigureAwait(false);
            // The call ended (BYE): what the caller sent before it may still wait unread on the socket, when the
            // receive loop has fallen behind. It goes into the message before the file is sealed; nothing newer does.
            if (reason == RecordingStopReason.Cancelled)
                await _pair.FlushAsync(_receiver, _time).ConfigureAwait(false);
        }
        catch
        {
            _receiver.Recorder = null;
            recorder.Abandon();
            ReleaseRecording();
            throw;
        }
        _receiver.Recorder = null;
        try
        {
            recorder.Finish();
        }
        finally
        {
            ReleaseRecording();
        }
        string? writeError = null;
        if (recorder.WriteError is { } error)
        {
            // The file keeps what landed before the error; the caller decides what to tell the caller and the recipient.
            reason = RecordingStopReason.WriteFailed;
            writeError = RecordingWriteError.Describe(error);
            MediaLog.RecordingWriteFailed(_logger, wavPath, writeError, recorder.Duration);
        }
        MediaLog.RecordingStopped(_logger, wavPath, reason, recorder.Duration);
        // A jitter-sized shortfall of silence is normal; audio dropped by the clock never is.
        if (recorder.AudioDropped > TimeSpan.Zero || recorder.GapNotFilled >= TimeSpan.FromMilliseconds(100))
            MediaLog.RecordingClamped(_logger, wavPath, recorder.GapNotFilled, recorder.AudioDropped);
        if (recorder.Duration == TimeSpan.Zero)
            _gate.WarnIfNothingHeard(wavPath);
        return new RecordingResult(reason, recorder.Duration, wavPath) { WriteError = writeError };
    }

    private void ReleaseRecording()
    {
        lock (_lock)
            _recording = false;
    }

    /// <summary>Stops everything: pending plays are cancelled, a recording ends as <see cref="RecordingStopReason.Cancelled"/>, the sockets go back to the range.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            // In the same critical section: no frame is queued or sent once disposal began.
            _sender.Stop();
        }
        // Once detached no datagram reaches this session: its SRTP contexts and recorder can go.
        await _pair.DetachAsync().ConfigureAwait(false);
        // Playout first: a clock tick may be protecting a packet until its item is gone.
        _sender.CancelPlayout();
        lock (_lock)
            _security.Dispose();
        _receiver.Recorder?.RequestStop(RecordingStopReason.Cancelled);
        _gate.WarnIfNothingHeard(null);
        // Kept for the next call, or closed and its port returned (the range decides).
        await _ports.ReleaseAsync(_pair).ConfigureAwait(false);
    }
}
