using System.Net;
using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// A byte relay on 127.0.0.1:<see cref="Port"/> that connects to the server FROM another loopback address
/// (127.0.0.N), so each probe is a distinct peer: the server's per-address event throttling cannot hide
/// one probe's event behind another's, and the event must name exactly that address. Dispose stops it.
/// </summary>
public sealed class LoopbackRelay : IAsyncDisposable
{
    private static int _nextHost = 20 + Environment.ProcessId % 100;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly int _target;

    /// <summary>Relays to 127.0.0.1:<paramref name="targetPort"/> from a fresh 127.0.0.N.</summary>
    public LoopbackRelay(int targetPort)
    {
        _target = targetPort;
        int host = Interlocked.Increment(ref _nextHost);
        Source = IPAddress.Parse($"127.0.0.{20 + (host - 20) % 230}");
        Port = TlsPorts.One();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    /// <summary>Where the client connects.</summary>
    public int Port { get; }

    /// <summary>The address the server sees.</summary>
    public IPAddress Source { get; }

    private async Task AcceptLoopAsync()
    {
        var pumps = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                pumps.Add(RelayAsync(client));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        await Task.WhenAll(pumps);
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                upstream.Bind(new IPEndPoint(Source, 0));
                await upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
                using var server = new NetworkStream(upstream, ownsSocket: false);
                var down = client.GetStream();
                var a = PumpAsync(down, server, upstream);
                var b = PumpAsync(server, down, client.Client);
                await Task.WhenAll(a, b);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // one side went away: the connection ends
            }
        }
    }

    // Copies until EOF, then half-closes the other side (so a close by either peer is seen by the other).
    private async Task PumpAsync(Stream from, Stream to, Socket toSocket)
    {
        var buffer = new byte[16384];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException) { }
        try { toSocket.Shutdown(SocketShutdown.Send); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    /// <summary>Stops listening and ends relayed connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(10)); } catch (TimeoutException) { }
        _listener.Dispose();
        _stop.Dispose();
    }
}
