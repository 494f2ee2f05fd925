using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transport;

// SIP over UDP (off by default): one socket, one receive loop, admission per datagram before parsing.
internal sealed class SipUdpTransport : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly ISipTransportSink _sink;
    private readonly SipParserLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, SipDatagramConnection> _peers = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public SipUdpTransport(IPEndPoint endpoint, ISipTransportSink sink, SipParserLimits limits, TimeProvider time, ILogger logger)
    {
        _sink = sink;
        _limits = limits;
        _time = time;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(endpoint);
            // With a wildcard bind, the packet's destination address is what Contact and Via must announce.
            _socket.SetSocketOption(endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP,
                SocketOptionName.PacketInformation, true);
        }
        catch (SocketException ex)
        {
            _socket.Dispose();
            throw new SocketException(ex.ErrorCode, $"Cannot listen for SIP/UDP on {endpoint}: {ex.Message}");
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _loop = ReceiveLoopAsync(_stop.Token);

    // The path used to answer a peer (RFC 3261 §18.2.2 / RFC 3581 pick the endpoint).
    public SipConnection GetConnection(IPEndPoint remote, IPEndPoint? local = null) =>
        _peers.TryGetValue(remote, out var existing)
            ? existing
            : GetConnection(new SipConnectionInfo("udp-" + remote, SipTransportKind.Udp, remote, local ?? LocalEndPoint, null));

    private SipDatagramConnection GetConnection(SipConnectionInfo info)
    {
        if (_peers.TryGetValue(info.Remote, out var existing)) return existing;
        var created = new SipDatagramConnection(_socket, info, _time, _logger);
        // Bounded: a flood of spoofed sources must not grow the table without limit.
        if (_peers.Count > 10_000) _peers.Clear();
        return _peers.GetOrAdd(info.Remote, created);
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(65_536);
        var any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                SocketReceiveMessageFromResult received;
                try
                {
                    received = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException ex)
                {
                    // ICMP port unreachable from an earlier send surfaces here on some stacks.
                    SipLog.UdpReceiveFailed(_logger, ex, LocalEndPoint);
                    continue;
                }
                try
                {
                    var destination = received.PacketInformation.Address;
                    var local = destination is null || destination.Equals(IPAddress.Any) || destination.Equals(IPAddress.IPv6Any)
                        ? LocalEndPoint
                        : new IPEndPoint(destination.IsIPv4MappedToIPv6 ? destination.MapToIPv4() : destination, LocalEndPoint.Port);
                    HandleDatagram(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint, local);
                }
                catch (Exception ex)
                {
                    SipLog.MessageHandlingFailed(_logger, ex, "udp", (IPEndPoint)received.RemoteEndPoint);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void HandleDatagram(ReadOnlySpan<byte> datagram, IPEndPoint remote, IPEndPoint local)
    {
        if (remote.Address.IsIPv4MappedToIPv6) remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
        // The address check first: a refused source costs no info, id string or peer entry per datagram.
        if (_sink.AdmitAddress(remote.Address, SipTransportKind.Udp) == SipAddressAdmission.Refused)
        {
            _sink.OnRefusedAddress(remote, SipTransportKind.Udp);
            return;
        }
        // A known peer's info is reused; a new one's is built once and becomes its connection if admitted.
        var info = _peers.TryGetValue(remote, out var known)
            ? known.Info
            : new SipConnectionInfo("udp-" + remote, SipTransportKind.Udp, remote, local, null);
        if (!_sink.Admit(info))
        {
            _sink.OnRefused(info);
            return;
        }
        if (IsKeepAlive(datagram)) return;
        var outcome = SipParser.TryParseDatagramPooled(datagram, _limits, out var message, out var rejection);
        var connection = known ?? GetConnection(info);
        connection.Touch();
        if (outcome == SipParseResult.Complete && message is not null)
        {
            _sink.OnMessage(connection, message);
            SipMessage.Return(message); // lent for the call above only
        }
        else if (rejection is not null) _sink.OnRejected(connection, rejection);
    }

    // RFC 5626 §4.4.1 CRLF keep-alives carry no message.
    private static bool IsKeepAlive(ReadOnlySpan<byte> datagram)
    {
        foreach (var b in datagram)
        {
            if (b is not ((byte)'\r' or (byte)'\n' or 0)) return false;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        if (_loop is not null) await _loop.ConfigureAwait(false);
    }
}

// A UDP "connection" is just the socket and a remote endpoint; it never closes.
internal sealed class SipDatagramConnection : SipConnection
{
    private readonly Socket _socket;
    private readonly ILogger _logger;

    public SipDatagramConnection(Socket socket, SipConnectionInfo info, TimeProvider time, ILogger logger) : base(info, time)
    {
        _socket = socket;
        _logger = logger;
    }

    public override bool IsReliable => false;

    public override bool Send(ReadOnlyMemory<byte> data)
    {
        try
        {
            var pending = _socket.SendToAsync(data, SocketFlags.None, Info.Remote);
            if (!pending.IsCompletedSuccessfully) _ = ObserveAsync(pending);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            SipLog.ConnectionFailed(_logger, ex, Info.Id, Info.Remote);
            return false;
        }
    }

    private async Task ObserveAsync(ValueTask<int> pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            SipLog.ConnectionFailed(_logger, ex, Info.Id, Info.Remote);
        }
    }

    public override void Close(bool graceful)
    {
        // Nothing to close: the socket is shared by every UDP peer.
    }
}
