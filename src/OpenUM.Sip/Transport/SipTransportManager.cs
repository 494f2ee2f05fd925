using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transport;

// Owns every connection: the budget (per-address and total caps, rates, eviction), lookup for reuse by the
// UAC, idle closing on the shared timer wheel, outbound connects. Listeners hand accepted sockets to it.
internal sealed class SipTransportManager
{
    private readonly ConcurrentDictionary<string, SipConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipConnection> _byRemote = new(StringComparer.Ordinal);
    private readonly ISipTransportSink _sink;
    private readonly TimerWheel _wheel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SipUserAgentOptions _options;
    private readonly LogThrottle _limitLog;
    private readonly LogThrottle _evictionLog;
    private readonly LogThrottle _failureLog;
    private readonly LogThrottle _messageLog;
    private volatile SipConnectionLimits _limits;
    private long _nextId;

    public SipTransportManager(ISipTransportSink sink, TimerWheel wheel, SipUserAgentOptions options, ILogger logger)
    {
        _sink = sink;
        _wheel = wheel;
        _time = wheel.TimeProvider;
        _options = options;
        _logger = logger;
        _limits = options.ConnectionLimits;
        _limitLog = new LogThrottle(_time, TimeSpan.FromSeconds(10));
        _evictionLog = new LogThrottle(_time, TimeSpan.FromSeconds(10));
        _failureLog = new LogThrottle(_time, TimeSpan.FromSeconds(10));
        _messageLog = new LogThrottle(_time, TimeSpan.FromSeconds(10));
        Budget = new ConnectionBudget(_limits, _time, DescriptorLimit.ConnectionShare(_limits.MaxConnections), OnEvicted);
    }

    public ConnectionBudget Budget { get; }

    // Read at each use: a change applies to the next handshake, message and idle check.
    public SipConnectionLimits Limits
    {
        get => _limits;
        set
        {
            _limits = value;
            Budget.Apply(value);
        }
    }

    public int Count => _connections.Count;

    public ILogger Logger => _logger;

    public TimerWheel Wheel => _wheel;

    public string NextId(SipTransportKind kind) =>
        (kind switch { SipTransportKind.Tls => "tls-", SipTransportKind.Udp => "udp-", _ => "tcp-" })
        + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // A slot for an accepted connection; null (reported, throttled) when a rate or cap refuses it.
    public ConnectionTicket? TryAdmit(IPEndPoint remote, SipTransportKind kind, bool stranger, IDisposable socket)
    {
        var ticket = Budget.TryAdmit(remote.Address, stranger, inbound: true, socket, out var refusal);
        if (ticket is null) LogLimit(remote, kind, refusal!);
        return ticket;
    }

    // A flood hits the caps continuously: per limit one event per ten seconds, with the count it stands for.
    public void LogLimit(IPEndPoint remote, SipTransportKind kind, string limit)
    {
        if (_limitLog.ShouldLog(limit, out int suppressed))
            SipLog.ConnectionLimit(_logger, kind.ToString(), remote, limit, LogThrottle.Describe(suppressed));
        _sink.OnLimited(remote, kind, limit);
    }

    // Unexpected failures of one connection: a stack trace helps, but a peer must not be able to repeat it at will.
    public void LogFailure(Exception error, string connectionId, IPEndPoint remote)
    {
        if (!_failureLog.ShouldLog(remote.Address.ToString(), out int suppressed)) return;
        if (error is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            SipLog.ConnectionBroken(_logger, connectionId, remote, error.Message, LogThrottle.Describe(suppressed));
        else
            SipLog.ConnectionFailed(_logger, error, connectionId, remote);
    }

    public void LogMessageTimeout(SipConnection connection, TimeSpan after, long bytes)
    {
        if (_messageLog.ShouldLog(connection.Info.Remote.Address.ToString(), out int suppressed))
            SipLog.MessageTimeout(_logger, connection.Info.Id, connection.Info.Remote, Math.Round(after.TotalSeconds, 1), bytes,
                LogThrottle.Describe(suppressed));
    }

    private void OnEvicted(ConnectionTicket ticket)
    {
        if (_evictionLog.ShouldLog(ticket.Address.ToString(), out int suppressed))
            SipLog.ConnectionEvicted(_logger, ticket.Address.ToString(),
                Math.Round(_time.GetElapsedTime(ticket.LastActivity).TotalSeconds, 1), LogThrottle.Describe(suppressed));
    }

    // Runs an admitted stream connection to its end, then gives its slot back.
    public async Task RunAsync(SipStreamConnection connection, ConnectionTicket ticket, SipParserLimits limits)
    {
        ticket.Attach(connection);
        _connections[connection.Info.Id] = connection;
        _byRemote[RemoteKey(connection.Info.Transport, connection.Info.Remote)] = connection;
        // Evicted between admission and here: the abort found no connection to close yet.
        if (ticket.Evicted) connection.Close(graceful: false);
        var idle = ScheduleIdle(connection);
        try
        {
            await connection.RunAsync(_sink, limits).ConfigureAwait(false);
        }
        finally
        {
            idle?.Stop();
            _connections.TryRemove(connection.Info.Id, out _);
            _byRemote.TryRemove(new KeyValuePair<string, SipConnection>(
                RemoteKey(connection.Info.Transport, connection.Info.Remote), connection));
            Budget.Release(ticket);
        }
    }

    public SipConnection? Find(SipTransportKind kind, IPEndPoint remote) =>
        _byRemote.TryGetValue(RemoteKey(kind, remote), out var c) && !c.IsClosed ? c : null;

    // UAC: reuse an open connection to that endpoint, else connect (RFC 3261 §18.1.1). TLS: the handshake as a
    // client (options from TlsClientOptions, bounded by TlsHandshakeTimeout), then the connection runs like an
    // accepted one with the server's certificate as PeerCertificate.
    public async Task<SipConnection> ConnectAsync(IPEndPoint remote, SipTransportKind kind, string? targetHost, CancellationToken ct)
    {
        if (kind is not (SipTransportKind.Tcp or SipTransportKind.Tls))
        {
            throw new NotSupportedException($"Outgoing SIP over {kind} is not supported; use TCP or TLS.");
        }
        var clientOptions = _options.TlsClientOptions;
        if (kind == SipTransportKind.Tls && clientOptions is null)
        {
            throw new InvalidOperationException("Outgoing SIP over TLS needs SipUserAgentOptions.TlsClientOptions.");
        }
        if (Find(kind, remote) is { } existing) return existing;
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (Budget.TryAdmit(remote.Address, stranger: false, inbound: false, socket, out var refusal) is not { } ticket)
        {
            socket.Dispose();
            LogLimit(remote, kind, refusal!);
            throw new SocketException((int)SocketError.TooManyOpenSockets);
        }
        Stream? stream = null;
        X509Certificate2? peer = null;
        try
        {
            // A configured listen address is also our source address, so Contact/Via match what we announce.
            var bind = _options.ListenAddress;
            if (bind.AddressFamily == remote.AddressFamily && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
            {
                socket.Bind(new IPEndPoint(bind, 0));
            }
            await socket.ConnectAsync(remote, ct).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (kind == SipTransportKind.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var options = clientOptions!(remote, targetHost);
                if (string.IsNullOrEmpty(options.TargetHost) && !string.IsNullOrEmpty(targetHost))
                {
                    options.TargetHost = targetHost;
                }
                // SslStream rethrows the failure from RemoteCertificate, so the presented certificate is noted here.
                byte[]? presented = null;
                var validate = options.RemoteCertificateValidationCallback;
                options.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    presented = certificate?.GetRawCertData();
                    return validate is null ? errors == SslPolicyErrors.None : validate(sender, certificate, chain, errors);
                };
                try
                {
                    await HandshakeAsClientAsync(ssl, options, remote, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
                {
                    var failed = new SipConnectionInfo(NextId(kind), kind, remote, LocalOf(socket, remote),
                        presented is null ? null : X509CertificateLoader.LoadCertificate(presented));
                    SipLog.TlsHandshakeFailed(_logger, failed.Id, failed.Remote, (ex.InnerException ?? ex).Message);
                    _sink.OnOutgoingHandshakeFailed(failed, ex);
                    throw;
                }
                peer = ssl.RemoteCertificate as X509Certificate2;
            }
        }
        catch
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            Budget.Release(ticket);
            throw;
        }
        var info = new SipConnectionInfo(NextId(kind), kind, remote, (IPEndPoint)socket.LocalEndPoint!, peer);
        var connection = new SipStreamConnection(socket, stream, info, this);
        _ = RunAsync(connection, ticket, _options.Limits);
        return connection;
    }

    private static IPEndPoint LocalOf(Socket socket, IPEndPoint remote)
    {
        try
        {
            return (IPEndPoint)socket.LocalEndPoint!;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return new IPEndPoint(remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        }
    }

    // The client handshake within TlsHandshakeTimeout (on the shared wheel, like the listener's); a timeout
    // surfaces as TimeoutException, a refused handshake as the AuthenticationException/IOException SslStream throws.
    private async Task HandshakeAsClientAsync(SslStream ssl, SslClientAuthenticationOptions options, IPEndPoint remote, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timedOut = new StrongBox<bool>();
        var limit = _limits.TlsHandshakeTimeout;
        var entry = _wheel.Schedule(limit, static s =>
        {
            var (box, cts) = ((StrongBox<bool>, CancellationTokenSource))s!;
            box.Value = true;
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }, (timedOut, timeout));
        try
        {
            await ssl.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Volatile.Read(ref timedOut.Value) && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The TLS handshake with {remote} did not complete within {limit}.");
        }
        finally
        {
            entry.Cancel();
        }
    }

    // Aborts every connection and waits (bounded) for their loops to end.
    public async Task CloseAllAsync()
    {
        var running = new List<Task>();
        foreach (var pair in _connections)
        {
            pair.Value.Close(graceful: false);
            if (pair.Value is SipStreamConnection stream) running.Add(stream.Completion);
        }
        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A loop stuck in the OS; the process is going away anyway.
        }
    }

    private IdleState? ScheduleIdle(SipConnection connection)
    {
        var timeout = _limits.IdleTimeout;
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }
        var state = new IdleState(this, connection);
        state.Entry = _wheel.Schedule(timeout, static s => ((IdleState)s!).Fire(), state);
        return state;
    }

    private void OnIdleTimer(IdleState state)
    {
        var connection = state.Connection;
        if (connection.IsClosed || state.Stopped) return;
        var timeout = _limits.IdleTimeout;
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan) return; // switched off meanwhile
        var idleFor = _time.GetElapsedTime(connection.LastActivity);
        if (connection.Users == 0 && idleFor >= timeout)
        {
            SipLog.IdleClosed(_logger, connection.Info.Id, connection.Info.Remote);
            connection.Close(graceful: true);
            return;
        }
        // A connection carrying a dialog or transaction stays open however quiet it is.
        var next = connection.Users > 0 ? timeout : timeout - idleFor;
        state.Reschedule(_wheel, next);
    }

    private static string RemoteKey(SipTransportKind kind, IPEndPoint remote) => kind switch
    {
        SipTransportKind.Tls => "tls|" + remote,
        SipTransportKind.Udp => "udp|" + remote,
        _ => "tcp|" + remote,
    };

    private sealed class IdleState(SipTransportManager owner, SipConnection connection)
    {
        private readonly object _sync = new();
        public SipConnection Connection { get; } = connection;
        public TimerWheelEntry? Entry { get; set; }
        public volatile bool Stopped;
        public void Fire() => owner.OnIdleTimer(this);

        // Under the lock Stop takes: a firing that raced Stop() must not leave a fresh entry behind it
        // (it would keep a closed connection's state alive, and fire once more, until the timeout).
        public void Reschedule(TimerWheel wheel, TimeSpan after)
        {
            lock (_sync)
            {
                if (Stopped) return;
                Entry = wheel.Schedule(after, static s => ((IdleState)s!).Fire(), this);
            }
        }

        public void Stop()
        {
            lock (_sync)
            {
                Stopped = true;
                Entry?.Cancel();
            }
        }
    }
}
