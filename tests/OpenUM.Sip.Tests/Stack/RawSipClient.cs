using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OpenUM.Sip.Tests.Stack;

// The peer side of loopback tests: a plain socket speaking SIP text, framed here without the
// project's parser so the stack is checked against independent code.
internal sealed class RawSipClient : IAsyncDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly List<byte> _pending = new();
    private readonly byte[] _buffer = new byte[8192];

    private RawSipClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    // `from` binds another loopback source (127.0.0.2...), i.e. another peer address.
    public static async Task<RawSipClient> ConnectAsync(IPEndPoint target, IPAddress? from = null)
    {
        var socket = Open(target, from);
        using var cts = new CancellationTokenSource(HangGuard);
        await socket.ConnectAsync(target, cts.Token);
        return new RawSipClient(socket, new NetworkStream(socket, ownsSocket: false));
    }

    // TLS client (with an optional client certificate); the server certificate is not checked here.
    public static async Task<RawSipClient> ConnectTlsAsync(IPEndPoint target, X509Certificate2? clientCertificate, IPAddress? from = null)
    {
        var socket = Open(target, from);
        using var cts = new CancellationTokenSource(HangGuard);
        await socket.ConnectAsync(target, cts.Token);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        }, cts.Token);
        return new RawSipClient(socket, ssl);
    }

    private static Socket Open(IPEndPoint target, IPAddress? from)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        return socket;
    }

    // A connection the stack opened to a listening peer (its Contact).
    public static RawSipClient FromAccepted(Socket socket) => new(socket, new NetworkStream(socket, ownsSocket: false));

    public Task SendAsync(string message) => SendAsync(Encoding.UTF8.GetBytes(message));

    // Raw bytes, for bodies that are not UTF-8 (ISUP).
    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(HangGuard);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    public async Task<RawSipMessage> ReadAsync()
    {
        using var cts = new CancellationTokenSource(HangGuard);
        while (true)
        {
            if (TryTake(out var message)) return message;
            var n = await _stream.ReadAsync(_buffer, cts.Token);
            if (n == 0) throw new EndOfStreamException("The stack closed the connection.");
            _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
        }
    }

    // Skips messages that do not match (e.g. retransmissions) until one does.
    public async Task<RawSipMessage> ReadUntilAsync(Func<RawSipMessage, bool> match)
    {
        while (true)
        {
            var message = await ReadAsync();
            if (match(message)) return message;
        }
    }

    // True when the stack closes the connection (FIN or RST) without sending anything first.
    public async Task<bool> ClosedWithoutDataAsync()
    {
        using var cts = new CancellationTokenSource(HangGuard);
        try
        {
            var n = await _stream.ReadAsync(_buffer, cts.Token);
            return n == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private bool TryTake(out RawSipMessage message)
    {
        message = null!;
        var text = Encoding.UTF8.GetString(_pending.ToArray());
        var start = 0;
        while (text.AsSpan(start).StartsWith("\r\n")) start += 2;
        var end = text.IndexOf("\r\n\r\n", start, StringComparison.Ordinal);
        if (end < 0) return false;
        var head = text[start..end];
        var length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim() is "Content-Length" or "l")
            {
                length = int.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }
        var bodyStart = Encoding.UTF8.GetByteCount(text[..(end + 4)]);
        if (_pending.Count < bodyStart + length) return false;
        var body = Encoding.UTF8.GetString(_pending.GetRange(bodyStart, length).ToArray());
        _pending.RemoveRange(0, bodyStart + length);
        message = RawSipMessage.Parse(head, body);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}

internal sealed class RawSipMessage
{
    private RawSipMessage(string startLine, List<KeyValuePair<string, string>> headers, string body)
    {
        StartLine = startLine;
        Headers = headers;
        Body = body;
    }

    public string StartLine { get; }
    public List<KeyValuePair<string, string>> Headers { get; }
    public string Body { get; }
    public bool IsResponse => StartLine.StartsWith("SIP/2.0 ", StringComparison.Ordinal);
    public int Status => IsResponse ? int.Parse(StartLine.Split(' ')[1], CultureInfo.InvariantCulture) : 0;
    public string Reason => IsResponse ? StartLine.Split(' ', 3)[2] : "";
    public string Method => IsResponse ? "" : StartLine.Split(' ')[0];
    public string RequestUri => IsResponse ? "" : StartLine.Split(' ')[1];
    public string CSeq => Header("CSeq") ?? "";

    public static RawSipMessage Parse(string head, string body)
    {
        var lines = head.Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':');
            headers.Add(new(lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
        }
        return new RawSipMessage(lines[0], headers, body);
    }

    public string? Header(string name)
    {
        foreach (var h in Headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
        }
        return null;
    }

    public IEnumerable<string> All(string name)
    {
        foreach (var h in Headers)
        {
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) yield return h.Value;
        }
    }

    // The tag parameter of From/To.
    public string? Tag(string header)
    {
        var value = Header(header);
        var at = value?.IndexOf(";tag=", StringComparison.OrdinalIgnoreCase) ?? -1;
        if (at < 0) return null;
        var rest = value![(at + 5)..];
        var stop = rest.IndexOfAny([';', ',', '>']);
        return stop < 0 ? rest : rest[..stop];
    }

    // The URI inside the first Contact's angle brackets.
    public string? ContactUri()
    {
        var value = Header("Contact");
        if (value is null) return null;
        var lt = value.IndexOf('<');
        var gt = value.IndexOf('>');
        return lt >= 0 && gt > lt ? value[(lt + 1)..gt] : value;
    }

    public override string ToString() => StartLine;
}
