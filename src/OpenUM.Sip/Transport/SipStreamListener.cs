using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transport;

// Wraps an accepted stream before SIP is read (TLS: SslStream + the verified peer certificate).
// Throwing refuses the connection.
internal delegate ValueTask<SipSecuredStream> SipStreamFilter(Stream inner, SipConnectionInfo info, CancellationToken ct);

internal readonly record struct SipSecuredStream(Stream Stream, X509Certificate2? PeerCertificate, string? PeerIdentity);

// TCP listener; the connection chain (plain, or TLS through a filter) is chosen by configuration
// (DESIGN pattern 2), not by subclassing. In order, each step cheaper than the next: the bare address
// (before any TLS byte), the address's rate and budget, the TLS handshake within its deadline, then
// admission on the connection (certificate name) before any SIP byte.
internal sealed class SipStreamListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SipTransportKind _kind;
    private readonly SipTransportManager _manager;
    private readonly ISipTransportSink _sink;
    private readonly SipStreamFilter? _filter;
    private readonly SipParserLimits _limits;
    private readonly ILogger _logger;
    private readonly LogThrottle _acceptLog;
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    public SipStreamListener(IPEndPoint endpoint, SipTransportKind kind, SipTransportManager manager,
        ISipTransportSink sink, SipStreamFilter? filter, SipParserLimits limits)
    {
        _kind = kind;
        _manager = manager;
        _sink = sink;
        _filter = filter;
        _limits = limits;
        _logger = manager.Logger;
        _acceptLog = new LogThrottle(manager.Wheel.TimeProvider, TimeSpan.FromSeconds(10));
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }
        try
        {
            _socket.Bind(endpoint);
            _socket.Listen(512);
        }
        catch (SocketException ex)
        {
            _socket.Dispose();
            throw new SocketException(ex.ErrorCode, $"Cannot listen for SIP/{kind} on {endpoint}: {ex.Message}");
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _acceptLoop = AcceptLoopAsync(_stop.Token);

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        var backoff = new AcceptBackoff();
        while (!ct.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // the peer gave up while queued: nothing is wrong with us
            }
            catch (Exception ex)
            {
                // Out of descriptors (EMFILE/ENFILE), buffers or memory: the connection stays queued in the kernel and
                // accept would fail again at once, so wait (doubling, capped) instead of spinning, and say so rarely.
                var delay = backoff.Next();
                if (_acceptLog.ShouldLog("accept", out int suppressed))
                    SipLog.AcceptFailed(_logger, LocalEndPoint, ex is SocketException se ? se.SocketErrorCode.ToString() : ex.GetType().Name,
                        (int)delay.TotalMilliseconds, LogThrottle.Describe(suppressed));
                try
                {
                    await Task.Delay(delay, _manager.Wheel.TimeProvider, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            backoff.Reset();
            _ = HandleAsync(accepted, ct);
        }
    }

    // Never throws: whatever a peer does ends here, with its socket closed and its slot given back.
    private async Task HandleAsync(Socket socket, CancellationToken ct)
    {
        IPEndPoint remote;
        IPEndPoint local;
        try
        {
            remote = Normalize((IPEndPoint)socket.RemoteEndPoint!);
            local = Normalize((IPEndPoint)socket.LocalEndPoint!);
            socket.NoDelay = true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return;
        }
        var admission = _sink.AdmitAddress(remote.Address, _kind);
        if (admission == SipAddressAdmission.Refused)
        {
            socket.Dispose();
            _sink.OnRefusedAddress(remote, _kind);
            return;
        }
        if (_manager.TryAdmit(remote, _kind, admission == SipAddressAdmission.Stranger, socket) is not { } ticket)
        {
            socket.Dispose();
            return;
        }
        var info = new SipConnectionInfo(_manager.NextId(_kind), _kind, remote, local, null);
        bool handedOver = false;
        Stream? stream = null;
        try
        {
            stream = new NetworkStream(socket, ownsSocket: false);
            if (_filter is not null)
            {
                var secured = await RunFilterAsync(stream, info, ticket, ct).ConfigureAwait(false);
                if (secured is null)
                {
                    return;
                }
                stream = secured.Value.Stream;
                info = info with { PeerCertificate = secured.Value.PeerCertificate, PeerIdentity = secured.Value.PeerIdentity };
            }
            if (!_sink.Admit(info))
            {
                _sink.OnRefused(info);
                return;
            }
            if (ticket.Stranger && !_manager.Budget.TryPromote(ticket))
            {
                _manager.LogLimit(remote, _kind, "total");
                return;
            }
            SipLog.ConnectionAccepted(_logger, info.Id, info.Remote);
            var connection = new SipStreamConnection(socket, stream, info, _manager);
            handedOver = true; // the manager releases the ticket when the connection ends
            stream = null;
            await _manager.RunAsync(connection, ticket, _limits).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (!ticket.Evicted) _manager.LogFailure(ex, info.Id, info.Remote);
        }
        finally
        {
            if (!handedOver)
            {
                try
                {
                    stream?.Dispose();
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                {
                    // A half-done TLS stream may fail to close; the socket goes below either way.
                }
                socket.Dispose();
                _manager.Budget.Release(ticket);
            }
        }
    }

    private async Task<SipSecuredStream?> RunFilterAsync(Stream stream, SipConnectionInfo info, ConnectionTicket ticket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var entry = _manager.Wheel.Schedule(_manager.Limits.TlsHandshakeTimeout, static s =>
        {
            try { ((CancellationTokenSource)s!).Cancel(); } catch (ObjectDisposedException) { }
        }, timeout);
        try
        {
            return await _filter!(stream, info, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The listener was stopped (configuration change or shutdown) mid-handshake: not the peer's failure.
            return null;
        }
        catch (Exception) when (ticket.Evicted)
        {
            // Aborted to make room for a newer connection from the same address: reported by the eviction.
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SipLog.TlsHandshakeFailed(_logger, info.Id, info.Remote, (ex.InnerException ?? ex).Message);
            _sink.OnHandshakeFailed(info, ex);
            return null;
        }
        finally
        {
            entry.Cancel();
        }
    }

    // Dual-mode sockets report IPv4 peers as ::ffff:a.b.c.d; admission compares plain IPv4.
    private static IPEndPoint Normalize(IPEndPoint ep) =>
        ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
    }
}

// Waits between failed accepts: 10 ms doubling to 1 s, back to the start after a success.
internal struct AcceptBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(1);
    private TimeSpan _next;

    public TimeSpan Next()
    {
        var delay = _next < First ? First : _next;
        _next = delay * 2 > Cap ? Cap : delay * 2;
        return delay;
    }

    public void Reset() => _next = TimeSpan.Zero;
}
