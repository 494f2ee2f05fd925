using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenUM.Calls.Tests.MessageWaiting;

/// <summary>One SIP message as text: start line, headers (first value per name), body.</summary>
internal sealed record RawSipMessage(string StartLine, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public bool IsResponse => StartLine.StartsWith("SIP/2.0 ", StringComparison.Ordinal);
    public int Status => IsResponse ? int.Parse(StartLine.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture) : 0;
    public string Method => IsResponse ? "" : StartLine[..StartLine.IndexOf(' ')];
    public string RequestUri => StartLine.Split(' ')[1];

    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The tag parameter of From or To.</summary>
    public string? Tag(string header) => Header(header) is { } v && v.IndexOf(";tag=", StringComparison.Ordinal) is var i and >= 0
        ? v[(i + 5)..].Split(';')[0] : null;

    /// <summary>The URI inside Contact's angle brackets.</summary>
    public string? ContactUri() => Header("Contact") is { } c && c.IndexOf('<') is var a and >= 0 ? c[(a + 1)..c.IndexOf('>')] : null;

    /// <summary>A response to this request, echoing Via, From, To (with a tag), Call-ID, CSeq.</summary>
    public string ResponseText(int status, string reason, string toTag = "gwtag")
    {
        var sb = new StringBuilder().Append("SIP/2.0 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        foreach (var (k, v) in Headers)
            if (k.Equals("Via", StringComparison.OrdinalIgnoreCase) || k.Equals("From", StringComparison.OrdinalIgnoreCase)
                || k.Equals("Call-ID", StringComparison.OrdinalIgnoreCase) || k.Equals("CSeq", StringComparison.OrdinalIgnoreCase))
                sb.Append(k).Append(": ").Append(v).Append("\r\n");
        string to = Header("To")!;
        sb.Append("To: ").Append(to).Append(to.Contains(";tag=", StringComparison.Ordinal) ? "" : ";tag=" + toTag).Append("\r\n");
        return sb.Append("Content-Length: 0\r\n\r\n").ToString();
    }
}

/// <summary>A SIP peer over one TCP connection, reading and writing text.</summary>
internal sealed class RawSipConnection(Socket socket) : IAsyncDisposable
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly List<byte> _buffer = [];

    public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;

    public static async Task<RawSipConnection> ConnectAsync(IPEndPoint target)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(target);
        return new RawSipConnection(socket);
    }

    public Task SendAsync(string text) => _stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>The next message; null when the peer closed. A 30 s hang guard.</summary>
    public async Task<RawSipMessage?> ReadAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var chunk = new byte[4096];
        while (true)
        {
            if (TryTake(out var message)) return message;
            int n = await _stream.ReadAsync(chunk, guard.Token);
            if (n == 0) return null;
            _buffer.AddRange(chunk.AsSpan(0, n));
        }
    }

    /// <summary>Reads until a message matches (others are dropped).</summary>
    public async Task<RawSipMessage> ReadUntilAsync(Func<RawSipMessage, bool> match)
    {
        while (true)
        {
            var message = await ReadAsync() ?? throw new InvalidOperationException("connection closed");
            if (match(message)) return message;
        }
    }

    private bool TryTake(out RawSipMessage message)
    {
        message = null!;
        var text = Encoding.ASCII.GetString(_buffer.ToArray());
        while (text.StartsWith("\r\n", StringComparison.Ordinal)) { text = text[2..]; _buffer.RemoveRange(0, 2); }
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return false;
        var lines = text[..end].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => new KeyValuePair<string, string>(p[0].Trim(), p[1].Trim())).ToList();
        int length = int.Parse(headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key == "l").Value ?? "0",
            System.Globalization.CultureInfo.InvariantCulture);
        if (text.Length < end + 4 + length) return false;
        message = new RawSipMessage(lines[0], headers, text.Substring(end + 4, length));
        _buffer.RemoveRange(0, end + 4 + length);
        return true;
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}

/// <summary>
/// A gateway taking unsolicited NOTIFYs on a loopback TCP port: answers each with <see cref="Status"/> and keeps what it
/// received, in order.
/// </summary>
internal sealed class RawGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RawSipConnection> _connections = [];
    private readonly Task _accepting;
    private readonly List<RawSipMessage> _received = [];

    public RawGateway()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What each request is answered with.</summary>
    public int Status { get; set; } = 200;

    public RawSipMessage[] Received
    {
        get
        {
            lock (_received) return [.. _received];
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var connection = new RawSipConnection(await _listener.AcceptSocketAsync(_stop.Token));
                lock (_connections) _connections.Add(connection);
                _ = ServeAsync(connection);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(RawSipConnection connection)
    {
        try
        {
            while (await connection.ReadAsync() is { } request)
            {
                if (request.IsResponse) continue;
                int status = Status;
                lock (_received) _received.Add(request);
                await connection.SendAsync(request.ResponseText(status, status == 200 ? "OK" : "Refused"));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        RawSipConnection[] open;
        lock (_connections) open = [.. _connections];
        foreach (var c in open) await c.DisposeAsync();
        _stop.Dispose();
    }
}
