using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

/// <summary>The SIP stack below the call layer: listeners, transactions (RFC 3261 §17), dialogs, UAS and UAC.</summary>
public sealed partial class SipUserAgent : IAsyncDisposable, ISipTransportSink, ISipTransactionHost
{
    private readonly SipUserAgentOptions _options;
    private readonly ILogger _logger;
    private readonly TimerWheel _wheel;
    private readonly SipTimerValues _timers;
    private readonly SipTransportManager _transport;
    private readonly ConcurrentDictionary<string, SipTransaction> _serverTransactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipClientTransaction> _clientTransactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipDialog> _dialogs = new(StringComparer.Ordinal);
    // The same tables looked up by keys written on the stack: matching a request builds no key string.
    private readonly ConcurrentDictionary<string, SipTransaction>.AlternateLookup<ReadOnlySpan<char>> _serverTransactionsBySpan;
    private readonly ConcurrentDictionary<string, SipClientTransaction>.AlternateLookup<ReadOnlySpan<char>> _clientTransactionsBySpan;
    private readonly ConcurrentDictionary<string, SipDialog>.AlternateLookup<ReadOnlySpan<char>> _dialogsBySpan;
    private readonly object _listenerSync = new();
    private SipStreamListener? _tcpListener;
    private SipStreamListener? _tlsListener;
    private bool _listenersReady; // StartAsync bound its listeners; under _listenerSync
    private readonly string _allowHeader;
    private readonly string _supportedHeader;
    private readonly SipUasPolicy _policy; // the options' policy, with SUBSCRIBE when a notifier is configured
    private SipUdpTransport? _udp;
    private volatile IReadOnlyList<IPEndPoint> _localEndPoints = [];
    private volatile int _tcpPort;
    private volatile int _tlsPort;
    private int _started;
    private int _disposed;

    /// <summary>Creates a user agent; nothing listens until <see cref="StartAsync"/>.</summary>
    public SipUserAgent(SipUserAgentOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _timers = new SipTimerValues(options.T1, options.T2, options.T4);
        _wheel = new TimerWheel(time);
        _wheel.CallbackFailed += ex => SipLog.TimerCallbackFailed(_logger, ex);
        _transport = new SipTransportManager(this, _wheel, options, logger);
        _policy = options.Notifier is null || options.Policy.AllowedMethods.Contains("SUBSCRIBE")
            ? options.Policy
            : options.Policy with { AllowedMethods = new HashSet<string>(options.Policy.AllowedMethods.Append("SUBSCRIBE"), StringComparer.Ordinal) };
        _allowHeader = BuildAllow(_policy.AllowedMethods);
        _supportedHeader = string.Join(", ", options.Policy.SupportedExtensions.Order(StringComparer.Ordinal));
        _subscribeLog = new LogThrottle(time, TimeSpan.FromMinutes(1));
        _serverTransactionsBySpan = _serverTransactions.GetAlternateLookup<ReadOnlySpan<char>>();
        _clientTransactionsBySpan = _clientTransactions.GetAlternateLookup<ReadOnlySpan<char>>();
        _dialogsBySpan = _dialogs.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Admission for every new TCP/TLS connection (before any SIP byte) and every UDP datagram; false refuses.</summary>
    public Func<SipConnectionInfo, bool>? Admit { get; set; }

    /// <summary>
    /// Cheap admission on the bare source address, asked before <see cref="Admit"/> and before anything is built for
    /// the peer (per UDP datagram; per TCP/TLS connection before its slot, its rate token and any TLS byte). Null
    /// trusts every address. A <see cref="SipAddressAdmission.Stranger"/> on TLS may attempt a handshake from the
    /// strangers' pool; on TCP and UDP it counts as trusted (there is nothing else to decide by).
    /// </summary>
    public Func<IPAddress, SipTransportKind, SipAddressAdmission>? AdmitAddress { get; set; }

    /// <summary>
    /// A source address was refused by <see cref="AdmitAddress"/>: nothing was built for it. Raised for every refused
    /// connection and datagram, so the handler must be cheap and rate-limit what it logs.
    /// </summary>
    public event Action<IPEndPoint, SipTransportKind>? AddressRefused;

    /// <summary>A connection or datagram was refused by <see cref="Admit"/>; no state was kept.</summary>
    public event Action<SipConnectionInfo>? ConnectionRefused;

    /// <summary>
    /// A connection was refused by the budget before anything was built for it: the limit is "connection rate",
    /// "per-address", "total", "strangers", "strangers per address", "stranger handshake rate" or "addresses".
    /// Logged as 2103 (rate-limited); raised for every refusal, so the handler must be cheap.
    /// </summary>
    public event Action<IPEndPoint, SipTransportKind, string>? ConnectionLimited;

    /// <summary>
    /// Deadlines and connection budgets; a new value applies to new connections, handshakes and messages at once
    /// (connections open now keep running). The total is also bounded by the descriptors the process may open.
    /// </summary>
    public SipConnectionLimits ConnectionLimits
    {
        get => _transport.Limits;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _transport.Limits = value;
            SipLog.ConnectionBudget(_logger, _transport.Budget.TrustedCap, _transport.Budget.StrangerCap, value.MaxConnections,
                value.MaxConnectionsPerAddress, value.ConnectionRatePerAddress);
        }
    }

    /// <summary>Connections held now in the trusted budget (gateways, outbound) and in the strangers' handshake pool.</summary>
    public (int Trusted, int Strangers) BudgetInUse => (_transport.Budget.Trusted, _transport.Budget.Strangers);

    /// <summary>
    /// A malformed message arrived; raised after its 4xx/5xx was sent (<see cref="SipRejectionOutcome.Answered"/>) or
    /// when nothing could be (<see cref="SipRejectionOutcome.Dropped"/>).
    /// </summary>
    public event Action<SipConnectionInfo, SipRejection, SipRejectionOutcome>? MessageRejected;

    /// <summary>
    /// A TLS handshake on an accepted connection failed or timed out; the flag says the certificate check refused it
    /// (and reported that already through its own callback).
    /// </summary>
    public event Action<SipConnectionInfo, Exception, bool>? TlsHandshakeFailed;

    /// <summary>
    /// An outgoing TLS handshake (we are the client: calls out, in-dialog reconnects) failed or timed out; the
    /// request that needed it fails too. <see cref="SipConnectionInfo.PeerCertificate"/> is the certificate the
    /// server presented, when it got that far.
    /// </summary>
    public event Action<SipConnectionInfo, Exception>? OutgoingTlsHandshakeFailed;

    /// <summary>A new dialog-creating INVITE (validated; a 100 Trying follows if it is not answered within 200 ms); the handler must Accept or Reject.</summary>
    public Func<IncomingCall, ValueTask>? OnIncomingCall { get; set; }

    /// <summary>Bound endpoints (TCP, then TLS, then UDP), valid after <see cref="StartAsync"/>; follows <see cref="SetListenersAsync"/>.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _localEndPoints;

    /// <summary>The port the SIP/TCP listener is bound to (the actual one when 0 was asked); null = not listening.</summary>
    public int? TcpPort => _tcpPort == 0 ? null : _tcpPort;

    /// <summary>The port the SIP/TLS listener is bound to (the actual one when 0 was asked); null = not listening.</summary>
    public int? TlsPort => _tlsPort == 0 ? null : _tlsPort;

    /// <summary>Dialogs currently established.</summary>
    public int ActiveDialogs => _dialogs.Count;

    /// <summary>Open TCP/TLS connections.</summary>
    public int ActiveConnections => _transport.Count;

    internal SipUserAgentOptions Options => _options;

    // The benchmark of one call's SIP work runs the call handler where the INVITE was read, so that it measures
    // the stack and not a thread-pool hop; the server always leaves the read loop.
    internal bool HandlerOnReadLoop { get; init; }

    internal string AllowHeader => _allowHeader;

    internal string SupportedHeader => _supportedHeader;

    TimerWheel ISipTransactionHost.Wheel => _wheel;

    SipTimerValues ISipTransactionHost.Timers => _timers;

    ILogger ISipTransactionHost.Logger => _logger;

    /// <summary>The one timer wheel of the process; the call layer schedules its call timers here too.</summary>
    public TimerWheel Wheel => _wheel;

    internal SipTimerValues Timers => _timers;

    internal ILogger Logger => _logger;

    /// <summary>Binds the configured listeners; throws <see cref="System.Net.Sockets.SocketException"/> naming the port.</summary>
    public Task StartAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("The user agent is already started.");
        SipStreamListener? tcp = null, tls = null;
        try
        {
            lock (_listenerSync)
            {
                if (_options.TcpPort is { } tcpPort) tcp = BindListener(SipTransportKind.Tcp, tcpPort);
                if (_options.TlsPort is { } tlsPort) tls = BindListener(SipTransportKind.Tls, tlsPort);
                if (_options.UdpPort is { } udp)
                {
                    _udp = new SipUdpTransport(new IPEndPoint(_options.ListenAddress, udp), this, _options.Limits, _wheel.TimeProvider, _logger);
                }
                _tcpListener = tcp;
                _tlsListener = tls;
                _listenersReady = true;
                PublishEndPoints();
            }
        }
        catch
        {
            tcp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            tls?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        var limits = _transport.Limits;
        SipLog.ConnectionBudget(_logger, _transport.Budget.TrustedCap, _transport.Budget.StrangerCap, limits.MaxConnections,
            limits.MaxConnectionsPerAddress, limits.ConnectionRatePerAddress);
        tcp?.Start();
        tls?.Start();
        _udp?.Start();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Makes the TCP and TLS listeners follow the configuration without a restart: a listener newly wanted is
    /// started, one no longer wanted stops accepting (its connections and their dialogs stay up), one that is
    /// unchanged is left alone (same port, or 0 asked while already listening). A port change binds the new
    /// port before the old listener stops. When a bind fails nothing changes and the
    /// <see cref="System.Net.Sockets.SocketException"/> names the port. UDP is not affected. Needs
    /// <see cref="StartAsync"/> first; TLS needs <see cref="SipUserAgentOptions.TlsServerOptions"/>.
    /// </summary>
    public async Task SetListenersAsync(int? tcpPort, int? tlsPort, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (tcpPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(tcpPort));
        if (tlsPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(tlsPort));
        SipStreamListener? newTcp = null, newTls = null, oldTcp = null, oldTls = null;
        lock (_listenerSync)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (!_listenersReady) throw new InvalidOperationException("StartAsync must have succeeded first.");
            var changeTcp = !Keeps(_tcpListener, tcpPort);
            var changeTls = !Keeps(_tlsListener, tlsPort);
            try
            {
                if (changeTcp && tcpPort is { } tcp) newTcp = BindListener(SipTransportKind.Tcp, tcp);
                if (changeTls && tlsPort is { } tls) newTls = BindListener(SipTransportKind.Tls, tls);
            }
            catch
            {
                newTcp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
                newTls?.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
            if (changeTcp)
            {
                oldTcp = _tcpListener;
                _tcpListener = newTcp;
            }
            if (changeTls)
            {
                oldTls = _tlsListener;
                _tlsListener = newTls;
            }
            PublishEndPoints();
            newTcp?.Start();
            newTls?.Start();
        }
        if (oldTcp is not null)
        {
            SipLog.ListenerStopped(_logger, "TCP", oldTcp.LocalEndPoint);
            await oldTcp.DisposeAsync().ConfigureAwait(false);
        }
        if (oldTls is not null)
        {
            SipLog.ListenerStopped(_logger, "TLS", oldTls.LocalEndPoint);
            await oldTls.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool Keeps(SipStreamListener? current, int? wanted) =>
        current is null ? wanted is null : wanted is { } port && (port == 0 || port == current.LocalEndPoint.Port);

    // Binds (does not start) a listener; under _listenerSync.
    private SipStreamListener BindListener(SipTransportKind kind, int port)
    {
        if (kind == SipTransportKind.Tls && _options.TlsServerOptions is null)
        {
            throw new InvalidOperationException("A SIP/TLS listener needs SipUserAgentOptions.TlsServerOptions.");
        }
        return new SipStreamListener(new IPEndPoint(_options.ListenAddress, port), kind, _transport, this,
            kind == SipTransportKind.Tls ? AuthenticateTlsAsync : null, _options.Limits);
    }

    // Under _listenerSync: the ports Contact announces and the endpoint list, TCP then TLS then UDP.
    private void PublishEndPoints()
    {
        var endpoints = new List<IPEndPoint>(3);
        if (_tcpListener is not null) endpoints.Add(_tcpListener.LocalEndPoint);
        if (_tlsListener is not null) endpoints.Add(_tlsListener.LocalEndPoint);
        if (_udp is not null) endpoints.Add(_udp.LocalEndPoint);
        _tcpPort = _tcpListener?.LocalEndPoint.Port ?? 0;
        _tlsPort = _tlsListener?.LocalEndPoint.Port ?? 0;
        _localEndPoints = endpoints;
    }

    private async ValueTask<SipSecuredStream> AuthenticateTlsAsync(Stream inner, SipConnectionInfo info, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var handshake = _options.TlsServerOptions!(info);
        try
        {
            await ssl.AuthenticateAsServerAsync(handshake.Options, ct).ConfigureAwait(false);
            SipMetrics.Handshake(succeeded: true, certificateRefused: false);
        }
        catch (Exception ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (ex is OperationCanceledException) throw;
            throw new SipTlsHandshakeException(handshake.CertificateRefused, ex);
        }
        return new SipSecuredStream(ssl, ssl.RemoteCertificate as X509Certificate2, handshake.PeerIdentity);
    }

    /// <summary>Stops listening, closes every connection and the timer wheel; dialogs end as TransportLost.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        SipStreamListener? tcp, tls;
        lock (_listenerSync)
        {
            (tcp, tls) = (_tcpListener, _tlsListener);
            (_tcpListener, _tlsListener) = (null, null);
        }
        if (tcp is not null) await tcp.DisposeAsync().ConfigureAwait(false);
        if (tls is not null) await tls.DisposeAsync().ConfigureAwait(false);
        if (_udp is not null) await _udp.DisposeAsync().ConfigureAwait(false);
        await _transport.CloseAllAsync().ConfigureAwait(false);
        foreach (var pair in _dialogs) pair.Value.OnTransportLost();
        foreach (var pair in _subscriptions) pair.Value.OnShutdown();
        _wheel.Dispose();
    }

    // ---- transport sink ----

    SipAddressAdmission ISipTransportSink.AdmitAddress(IPAddress address, SipTransportKind kind)
    {
        var admit = AdmitAddress;
        if (admit is null) return SipAddressAdmission.Trusted;
        try
        {
            var verdict = admit(address, kind);
            return verdict == SipAddressAdmission.Stranger && kind != SipTransportKind.Tls ? SipAddressAdmission.Trusted : verdict;
        }
        catch (Exception ex)
        {
            // A failing admission policy must fail closed.
            _transport.LogFailure(ex, "admission", new IPEndPoint(address, 0));
            return SipAddressAdmission.Refused;
        }
    }

    void ISipTransportSink.OnRefusedAddress(IPEndPoint remote, SipTransportKind kind)
    {
        // Once per refused connection or datagram of a flood: the debug trace must cost nothing when it is off.
        if (_logger.IsEnabled(LogLevel.Debug)) SipLog.ConnectionRefused(_logger, kind.ToString(), remote);
        try
        {
            AddressRefused?.Invoke(remote, kind);
        }
        catch (Exception ex)
        {
            _transport.LogFailure(ex, "admission", remote);
        }
    }

    bool ISipTransportSink.Admit(SipConnectionInfo info)
    {
        var admit = Admit;
        if (admit is null) return true;
        try
        {
            return admit(info);
        }
        catch (Exception ex)
        {
            // A failing admission policy must fail closed.
            SipLog.ConnectionFailed(_logger, ex, info.Id, info.Remote);
            return false;
        }
    }

    void ISipTransportSink.OnRefused(SipConnectionInfo info)
    {
        SipLog.ConnectionRefused(_logger, info.Id, info.Remote);
        try
        {
            ConnectionRefused?.Invoke(info);
        }
        catch (Exception ex)
        {
            SipLog.ConnectionFailed(_logger, ex, info.Id, info.Remote);
        }
    }

    void ISipTransportSink.OnLimited(IPEndPoint remote, SipTransportKind kind, string limit)
    {
        try
        {
            ConnectionLimited?.Invoke(remote, kind, limit);
        }
        catch (Exception ex)
        {
            _transport.LogFailure(ex, "budget", remote);
        }
    }

    void ISipTransportSink.OnHandshakeFailed(SipConnectionInfo info, Exception error)
    {
        try
        {
            var (cause, refused) = error is SipTlsHandshakeException tls ? (tls.InnerException!, tls.CertificateRefused) : (error, false);
            // Here rather than in the handshake: the listener has already left out handshakes ended by its own stop or an eviction.
            SipMetrics.Handshake(succeeded: false, refused);
            TlsHandshakeFailed?.Invoke(info, cause, refused);
        }
        catch (Exception ex)
        {
            SipLog.ConnectionFailed(_logger, ex, info.Id, info.Remote);
        }
    }

    void ISipTransportSink.OnOutgoingHandshakeFailed(SipConnectionInfo info, Exception error)
    {
        try
        {
            OutgoingTlsHandshakeFailed?.Invoke(info, error);
        }
        catch (Exception ex)
        {
            SipLog.ConnectionFailed(_logger, ex, info.Id, info.Remote);
        }
    }

    // The message may be lent by the read loop (SipMessage.IsPooled) for the length of this call: what keeps it
    // keeps message.Own(). An in-dialog ACK or a retransmission is matched and dropped without allocating.
    void ISipTransportSink.OnMessage(SipConnection connection, SipMessage message)
    {
        try
        {
            if (message.IsRequest) HandleRequest(connection, message);
            else HandleResponse(connection, message);
        }
        catch (Exception ex)
        {
            // One bad message must not take the connection (and the other calls on it) down.
            SipLog.MessageHandlingFailed(_logger, ex, connection.Info.Id, connection.Info.Remote);
            if (message.IsRequest && message.Method != "ACK") AnswerFailure(connection, message.Own());
        }
    }

    // 500 for a request whose handling threw: through its server transaction when it has one (a second,
    // stateless response after the transaction's final one would contradict it), statelessly otherwise.
    private void AnswerFailure(SipConnection connection, SipMessage request)
    {
        // A retransmission is not given the transaction: find the one its original created.
        var tx = request.ServerTransaction ?? FindServerTransaction(request);
        switch (tx)
        {
            case null:
                TrySendStateless(connection, request, 500, "Server Internal Error");
                break;
            case InviteServerTransaction ist when !ist.FinalSent && !ist.IsTerminated:
            case NonInviteServerTransaction nist when !nist.FinalSent && !nist.IsTerminated:
                try
                {
                    SendFinal(tx, CreateResponse(request, 500, "Server Internal Error",
                        request.To is { Tag: null } ? SipIds.NewTag() : null));
                }
                catch (Exception ex)
                {
                    SipLog.MessageHandlingFailed(_logger, ex, connection.Info.Id, connection.Info.Remote);
                }
                break;
        }
    }

    private SipTransaction? FindServerTransaction(SipMessage request)
    {
        try
        {
            return SipTransactionKeys.ForServer(request, request.Method) is { } key
                && _serverTransactions.TryGetValue(key, out var tx) ? tx : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null; // the request is too broken to have a transaction
        }
    }

    void ISipTransportSink.OnRejected(SipConnection connection, SipRejection rejection)
    {
        SipLog.MessageRejected(_logger, connection.Info.Id, connection.Info.Remote, rejection.StatusCode, rejection.ReasonPhrase);
        // Answered first, so the event can say what really happened; the transport closes the connection after
        // this returns when the framing is lost, and the queued response is flushed before the close.
        var answered = CanAnswer(rejection.Partial)
            && TrySendStateless(connection, rejection.Partial!, rejection.StatusCode, rejection.ReasonPhrase);
        try
        {
            MessageRejected?.Invoke(connection.Info, rejection, answered ? SipRejectionOutcome.Answered : SipRejectionOutcome.Dropped);
        }
        catch (Exception ex)
        {
            SipLog.ConnectionFailed(_logger, ex, connection.Info.Id, connection.Info.Remote);
        }
    }

    void ISipTransportSink.OnClosed(SipConnection connection)
    {
        // Dialogs, calls and client transactions watch connection.Closed themselves.
    }

    void ISipTransactionHost.OnTransactionTerminated(SipTransaction transaction)
    {
        if (transaction is SipClientTransaction client)
        {
            _clientTransactions.TryRemove(new KeyValuePair<string, SipClientTransaction>(transaction.Key, client));
        }
        else
        {
            _serverTransactions.TryRemove(new KeyValuePair<string, SipTransaction>(transaction.Key, transaction));
        }
    }

    private static string BuildAllow(IReadOnlySet<string> methods)
    {
        // Stable order: the usual ones first, as RFC 3261 examples list them, then anything else.
        var ordered = new List<string>();
        foreach (var m in SipUserAgentOptions.DefaultMethods) if (methods.Contains(m)) ordered.Add(m);
        foreach (var m in methods.Order(StringComparer.Ordinal)) if (!ordered.Contains(m)) ordered.Add(m);
        return string.Join(", ", ordered);
    }
}
