using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OpenUM.Sip.Transport;

// Wraps an accepted stream before SIP is read (TLS: SslStream + the verified peer certificate).
// Throwing refuses the connection.
internal delegate ValueTask<SipSecuredStream> SipStreamFilter(Stream inner, SipConnectionInfo info, CancellationToken ct);

internal readonly record struct SipSecuredStream(Stream Stream, X509Certificate2? PeerCertificate);

// TCP listener; the connection chain (plain, or TLS through a filter) is chosen by configuration
// (DESIGN pattern 2), not by subclassing. Admission runs after the filter and before any SIP byte.
internal sealed class SipStreamListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly SipTransportKind _kind;
    private readonly SipTransportManager _manager;
    private readonly ISipTransportSink _sink;
    private readonly SipStreamFilter? _filter;
    private readonly TimeSpan _filterTimeout;
    private readonly TimerWheel _wheel;
    private readonly SipParserLimits _limits;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    public SipStreamListener(IPEndPoint endpoint, SipTransportKind kind, SipTransportManager manager,
        ISipTransportSink sink, SipStreamFilter? filter, TimeSpan filterTimeout, TimerWheel wheel,
        SipParserLimits limits, ILogger logger)
    {
        _kind = kind;
        _manager = manager;
        _sink = sink;
        _filter = filter;
        _filterTimeout = filterTimeout;
        _wheel = wheel;
        _limits = limits;
        _logger = logger;
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
            catch (SocketException ex)
            {
                // Resource exhaustion or a reset before accept: keep listening.
                SipLog.AcceptFailed(_logger, ex, LocalEndPoint);
                continue;
            }
            _ = HandleAsync(accepted, ct);
        }
    }

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
        // The cheap address check before the info, the slot and any TLS handshake.
        if (!_sink.AdmitAddress(remote.Address, _kind))
        {
            socket.Dispose();
            _sink.OnRefusedAddress(remote, _kind);
            return;
        }
        var info = new SipConnectionInfo(_manager.NextId(_kind), _kind, remote, local, null);
        if (!_manager.TryReserve(remote))
        {
            socket.Dispose();
            _sink.OnRefused(info);
            return;
        }
        var reserved = true;
        Stream? stream = null;
        try
        {
            stream = new NetworkStream(socket, ownsSocket: false);
            if (_filter is not null)
            {
                var secured = await RunFilterAsync(stream, info, ct).ConfigureAwait(false);
                if (secured is null)
                {
                    return;
                }
                stream = secured.Value.Stream;
                info = info with { PeerCertificate = secured.Value.PeerCertificate };
            }
            if (!_sink.Admit(info))
            {
                _sink.OnRefused(info);
                return;
            }
            SipLog.ConnectionAccepted(_logger, info.Id, info.Remote);
            var connection = new SipStreamConnection(socket, stream, info, _wheel, _logger);
            reserved = false; // the manager releases it when the connection ends
            stream = null;
            await _manager.RunAsync(connection, _limits).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SipLog.ConnectionFailed(_logger, ex, info.Id, info.Remote);
        }
        finally
        {
            if (reserved)
            {
                stream?.Dispose();
                socket.Dispose();
                _manager.Release(remote.Address);
            }
        }
    }

    private async Task<SipSecuredStream?> RunFilterAsync(Stream stream, SipConnectionInfo info, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var entry = _wheel.Schedule(_filterTimeout, static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        try
        {
            return await _filter!(stream, info, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The listener was stopped (configuration change or shutdown) mid-handshake: not the peer's failure.
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SipLog.TlsHandshakeFailed(_logger, ex, info.Id, info.Remote);
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
