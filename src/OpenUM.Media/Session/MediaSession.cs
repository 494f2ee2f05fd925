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
public sealed partial class MediaSession : IAsyncDisposable, IPacedSource
{
    private readonly Socket _socket;
    private readonly Socket _rtcpSocket;
    private readonly RtpPortRange _ports;
    private readonly MediaClock _clock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly RtpSender _sender;
    private Task _receiveTask = Task.CompletedTask, _rtcpTask = Task.CompletedTask;
    private volatile NegotiatedMedia? _media;
    // The SDP remote address in the socket's family.
    private volatile SocketAddress? _sdpSource;
    private volatile Recorder? _recorder;
    private volatile bool _disposed;

    private long _packetsReceived, _bytesReceived, _malformed, _ignored;

    private MediaSession(Socket socket, Socket rtcpSocket, int port, IPAddress address, RtpPortRange ports, MediaClock clock, ILogger logger)
    {
        _socket = socket;
        _rtcpSocket = rtcpSocket;
        LocalPort = port;
        LocalAddress = address;
        _ports = ports;
        _clock = clock;
        _time = clock.TimeProvider;
        _logger = logger;
        _security = new MediaSecurity(logger, port);
        _sources = new RtpSourceLearning(socket.AddressFamily, _time);
        _lastUnexpected = new SocketAddress(socket.AddressFamily);
        _sender = new RtpSender(socket, port, _lock, _security, clock, this, logger);
    }

    /// <summary>Binds a UDP socket on a random free even port of <paramref name="ports"/> (ports in use by other processes are skipped).</summary>
    public static MediaSession Open(IPAddress bindAddress, RtpPortRange ports, MediaClock clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bindAddress);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        // Ports taken by other processes stay rented until we are done: with random renting, returning them at once
        // could hand the same busy port back again and again while free ones remain untried.
        List<int>? busy = null;
        try
        {
            while (ports.TryRent(out int port))
            {
                Socket? socket = null, rtcp = null;
                try
                {
                    socket = Bind(bindAddress, port);
                    // RFC 3550 §11: RTCP on the next (odd) port. Bound so that a peer's reports (and SRTCP, whose
                    // failures are counted) land on a socket of ours rather than draw ICMP errors.
                    rtcp = Bind(bindAddress, port + 1);
                    var session = new MediaSession(socket, rtcp, port, bindAddress, ports, clock, logger);
                    MediaLog.SessionOpened(logger, port);
                    return session;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
                {
                    socket?.Dispose();
                    rtcp?.Dispose();
                    (busy ??= []).Add(port);
                }
                catch
                {
                    socket?.Dispose();
                    rtcp?.Dispose();
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

    private static Socket Bind(IPAddress bindAddress, int port)
    {
        var socket = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bindAddress.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            socket.Bind(new IPEndPoint(bindAddress, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The bound RTP port (even).</summary>
    public int LocalPort { get; }

    /// <summary>The address the socket is bound to (may be a wildcard; advertise a real one in SDP).</summary>
    public IPAddress LocalAddress { get; }

    /// <summary>The media currently negotiated, or null before <see cref="Start"/>.</summary>
    public NegotiatedMedia? Media => _media;

    /// <summary>Raised on the receive thread once per RFC 4733 key press (0-9, *, #, A-D).</summary>
    public event Action<char>? DtmfReceived;

    /// <summary>A snapshot of the counters.</summary>
    public MediaStatistics Statistics => new(
        Interlocked.Read(ref _packetsReceived), Interlocked.Read(ref _bytesReceived),
        _sender.PacketsSent, _sender.BytesSent,
        PacketsLost, Interlocked.Read(ref _malformed), Interlocked.Read(ref _ignored),
        Interlocked.Read(ref _notAllowed) + Interlocked.Read(ref _competing), Interlocked.Read(ref _badPayloadSize));

    /// <summary>Starts receiving, and sending when the direction allows it; sources are learned by <see cref="MediaSourcePolicy.Default"/>.</summary>
    public void Start(NegotiatedMedia media) => Start(media, MediaSourcePolicy.Default);

    /// <summary>Starts receiving, and sending when the direction allows it; <paramref name="sources"/> says where RTP may come from.</summary>
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
            if (_media is not null)
                throw new InvalidOperationException("The media session is already started; use Update for a re-INVITE.");
            _sdpSource = ToSocketAddress(media.RemoteRtp);
            _sender.Destination = _sdpSource;
            _policy = sources;
            var signalling = sources.SignallingPeer is { } peer ? ToSocketAddress(new IPEndPoint(peer, 0)) : null;
            _sources.Configure(sources.Latching, sources.Probation, _sdpSource, signalling);
            _security.Apply(media.Srtp);
            _media = media;
            _sender.Media = media;
            _receiveTask = Task.Run(() => ReceiveLoopAsync(_cts.Token));
            _rtcpTask = Task.Run(() => RtcpLoopAsync(_cts.Token));
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
                _sdpSource = ToSocketAddress(media.RemoteRtp);
                _sender.Destination = _sdpSource;
                // Applied by the receive thread before its next packet: the learning state is its own.
                _relearn = true;
            }
            if (!ReferenceEquals(old.Srtp, media.Srtp))
                _security.Apply(media.Srtp, old.Srtp);
            _media = media;
            _sender.Media = media;
        }
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
                return !_disposed && (_sender.HasQueued || _recorder is { Stopped.IsCompleted: false });
        }
    }

    // The session stays on the clock while it plays or records: the tick also checks the recording's idle deadline,
    // so there is no timer per recording (DESIGN: one pacing loop, no per-call timers).
    bool IPacedSource.OnTick(long now)
    {
        if (_disposed)
            return false;
        bool recording = _recorder is { } recorder && recorder.CheckIdle(now);
        return _sender.Tick(now) | recording;
    }

    private SocketAddress ToSocketAddress(IPEndPoint ep)
    {
        // A dual-mode IPv6 socket needs IPv4 peers as IPv4-mapped addresses; an IPv4 socket sees mapped ones as IPv4.
        if (_socket.AddressFamily == AddressFamily.InterNetworkV6 && ep.AddressFamily == AddressFamily.InterNetwork)
            ep = new IPEndPoint(ep.Address.MapToIPv6(), ep.Port);
        else if (_socket.AddressFamily == AddressFamily.InterNetwork && ep.Address.IsIPv4MappedToIPv6)
            ep = new IPEndPoint(ep.Address.MapToIPv4(), ep.Port);
        return ep.Serialize();
    }

    /// <summary>Stops everything: pending plays are cancelled, a recording ends as <see cref="RecordingStopReason.Cancelled"/>, the port is returned.</summary>
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
        _cts.Cancel();
        _socket.Dispose();
        _rtcpSocket.Dispose();
        try
        {
            await Task.WhenAll(_receiveTask, _rtcpTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        // Playout first: a clock tick may be protecting a packet until its item is gone.
        _sender.CancelPlayout();
        lock (_lock)
            _security.Dispose();
        _recorder?.RequestStop(RecordingStopReason.Cancelled);
        WarnIfNothingHeard(null);
        _ports.Return(LocalPort);
        _cts.Dispose();
    }
}
