using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OpenUM.Sip.Transport;

// Owns every connection: per-address and total caps, lookup for reuse by the UAC, idle closing on the
// shared timer wheel, outbound connects. Listeners hand accepted sockets to it.
internal sealed class SipTransportManager
{
    private readonly ConcurrentDictionary<string, SipConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipConnection> _byRemote = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly ISipTransportSink _sink;
    private readonly TimerWheel _wheel;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SipUserAgentOptions _options;
    private int _total;
    private long _nextId;
    private long _lastLimitLog = long.MinValue;

    public SipTransportManager(ISipTransportSink sink, TimerWheel wheel, SipUserAgentOptions options, ILogger logger)
    {
        _sink = sink;
        _wheel = wheel;
        _time = wheel.TimeProvider;
        _options = options;
        _logger = logger;
    }

    public int Count => _connections.Count;

    public string NextId(SipTransportKind kind) =>
        (kind switch { SipTransportKind.Tls => "tls-", SipTransportKind.Udp => "udp-", _ => "tcp-" })
        + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Takes a slot for a new connection from this address; false when a cap is reached.
    public bool TryReserve(IPEndPoint remote)
    {
        if (Interlocked.Increment(ref _total) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _total);
            LogLimit(remote, "total");
            return false;
        }
        var count = _perAddress.AddOrUpdate(remote.Address, 1, static (_, c) => c + 1);
        if (count > _options.MaxConnectionsPerAddress)
        {
            Release(remote.Address);
            LogLimit(remote, "per-address");
            return false;
        }
        return true;
    }

    // A connection flood hits the caps continuously: one event per ten seconds says so without filling the log.
    private void LogLimit(IPEndPoint remote, string limit)
    {
        long now = _time.GetTimestamp();
        long last = Interlocked.Read(ref _lastLimitLog);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(10)) return;
        if (Interlocked.CompareExchange(ref _lastLimitLog, now, last) == last) SipLog.ConnectionLimit(_logger, remote, limit);
    }

    public void Release(IPAddress address)
    {
        Interlocked.Decrement(ref _total);
        while (_perAddress.TryGetValue(address, out var count))
        {
            if (count <= 1)
            {
                if (_perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, count))) break;
            }
            else if (_perAddress.TryUpdate(address, count - 1, count))
            {
                break;
            }
        }
    }

    // Runs an admitted stream connection to its end; the caller has reserved its slot.
    public async Task RunAsync(SipStreamConnection connection, SipParserLimits limits)
    {
        _connections[connection.Info.Id] = connection;
        _byRemote[RemoteKey(connection.Info.Transport, connection.Info.Remote)] = connection;
        var idle = ScheduleIdle(connection, _options.IdleConnectionTimeout);
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
            Release(connection.Info.Remote.Address);
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
        if (!TryReserve(remote))
        {
            throw new SocketException((int)SocketError.TooManyOpenSockets);
        }
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
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
                    SipLog.TlsHandshakeFailed(_logger, ex, failed.Id, failed.Remote);
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
            Release(remote.Address);
            throw;
        }
        var info = new SipConnectionInfo(NextId(kind), kind, remote, (IPEndPoint)socket.LocalEndPoint!, peer);
        var connection = new SipStreamConnection(socket, stream, info, _wheel, _logger);
        _ = RunAsync(connection, _options.Limits);
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
        var entry = _wheel.Schedule(_options.TlsHandshakeTimeout, static s =>
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
            throw new TimeoutException($"The TLS handshake with {remote} did not complete within {_options.TlsHandshakeTimeout}.");
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

    private IdleState? ScheduleIdle(SipConnection connection, TimeSpan after)
    {
        if (_options.IdleConnectionTimeout <= TimeSpan.Zero || _options.IdleConnectionTimeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }
        var state = new IdleState(this, connection);
        state.Entry = _wheel.Schedule(after, static s => ((IdleState)s!).Fire(), state);
        return state;
    }

    private void OnIdleTimer(IdleState state)
    {
        var connection = state.Connection;
        if (connection.IsClosed || state.Stopped) return;
        var timeout = _options.IdleConnectionTimeout;
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
