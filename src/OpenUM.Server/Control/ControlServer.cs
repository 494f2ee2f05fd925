using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Server.Logging;
using OpenUM.Sip;

namespace OpenUM.Server.Control;

/// <summary>
/// The local control channel: a Unix domain socket <c>control.sock</c> in the data directory (mode 0600 in the 0700
/// directory; no TCP), answering one JSON request line with one JSON response line (<see cref="ControlProtocol"/>).
/// Only this user (or root) may connect; even so every client is bounded: <see cref="MaxClients"/> at a time, a
/// request of at most <see cref="ControlProtocol.MaxRequestBytes"/> within <see cref="RequestTimeout"/>.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>Clients served at the same time; more are told "busy" and closed.</summary>
    public const int MaxClients = 4;

    /// <summary>How long a client has to send its request and take the response.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private const int SolSocket = 1, SoPeerCred = 17; // <sys/socket.h>, Linux
    private readonly Socket _listener;
    private readonly FileIdentity? _identity;
    private readonly Func<string, ControlResponse> _handler;
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Task, byte> _clients = new();
    private readonly uint _ownUid = EffectiveUid();
    private readonly Task _accepting;
    private int _busy;

    private ControlServer(string path, Socket listener, Func<string, ControlResponse> handler, TimeProvider time, ILogger logger)
    {
        (Path, _listener, _handler, _logger) = (path, listener, handler, logger);
        _throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        _identity = AppendOnlyFile.IdentityOf(path);
        _accepting = AcceptAsync();
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <c>control.sock</c> in <paramref name="dataDirectory"/> and starts answering with <paramref name="handler"/>
    /// (command to response). A socket left by a crashed server is replaced (2082); when it cannot be opened (another
    /// server answers on it, the path is too long for a socket, I/O errors) the reason is logged (2080) and null returned:
    /// the server runs on without it.
    /// </summary>
    public static ControlServer? TryStart(string dataDirectory, Func<string, ControlResponse> handler, TimeProvider time, ILogger logger)
    {
        string path = System.IO.Path.Combine(dataDirectory, ControlProtocol.SocketName);
        string staging = System.IO.Path.Combine(dataDirectory, $".control-{Environment.ProcessId}");
        try
        {
            bool stale = false;
            if (File.Exists(path))
            {
                if (ControlClient.Answers(path))
                {
                    ControlEvents.Unavailable(logger, path, "another openum serve answers on it: two servers share this data directory");
                    return null;
                }
                stale = true;
            }
            // Bound in a private directory, made owner-only, then renamed into place: never reachable with the
            // umask's modes, and the rename replaces a stale socket in one step.
            if (System.IO.Directory.Exists(staging)) System.IO.Directory.Delete(staging, recursive: true);
            System.IO.Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                string temporary = System.IO.Path.Combine(staging, ControlProtocol.SocketName);
                listener.Bind(new UnixDomainSocketEndPoint(temporary));
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                listener.Listen(MaxClients * 2);
                File.Move(temporary, path, overwrite: true);
            }
            catch
            {
                listener.Dispose();
                throw;
            }
            finally
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
            if (stale) ControlEvents.StaleReplaced(logger, path);
            return new ControlServer(path, listener, handler, time, logger);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            // ArgumentOutOfRangeException: the path does not fit a sockaddr_un (108 bytes).
            ControlEvents.Unavailable(logger, path, e.Message);
            return null;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { continue; } // the client gave up before we took it
            // Fails closed: a peer whose user the kernel does not tell is refused like a stranger.
            var peer = PeerUid(client);
            if (peer is not { } uid || (uid != _ownUid && uid != 0))
            {
                Refuse(client, null, peer is null ? "the peer's user id is unknown (SO_PEERCRED)" : $"user id {peer} is not the server's user");
                continue;
            }
            if (Interlocked.Increment(ref _busy) > MaxClients)
            {
                Interlocked.Decrement(ref _busy);
                Refuse(client, "busy: too many control clients at once, try again", $"more than {MaxClients} clients at once");
                continue;
            }
            var serving = ServeAsync(client);
            _clients[serving] = 0;
            _ = serving.ContinueWith(t => _clients.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            var (line, problem) = await ReadLineAsync(client, timeout.Token).ConfigureAwait(false);
            ControlResponse response;
            if (problem is not null)
            {
                Log(problem);
                response = new ControlResponse { Error = problem };
            }
            else
            {
                response = Answer(line!);
            }
            byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(response, ControlProtocol.Json.ControlResponse);
            await client.SendAsync(bytes.Append((byte)'\n').ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Log($"no complete request within {RequestTimeout.TotalSeconds:0} s");
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { } // the client left
        finally
        {
            Interlocked.Decrement(ref _busy);
        }
    }

    private ControlResponse Answer(byte[] line)
    {
        ControlRequest? request;
        try { request = JsonSerializer.Deserialize(line, ControlProtocol.Json.ControlRequest); }
        catch (JsonException) { request = null; }
        if (request?.Command is not { } command)
        {
            Log("the request is not a JSON object with a command");
            return new ControlResponse { Error = "malformed request: expected {\"command\":\"status\"} on one line" };
        }
        try
        {
            return _handler(command);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new ControlResponse { Error = $"the server could not answer {command}: {e.Message}" };
        }
    }

    /// <summary>Reads up to the first newline; a request over the limit or a connection closed early is a problem.</summary>
    private static async Task<(byte[]? Line, string? Problem)> ReadLineAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[ControlProtocol.MaxRequestBytes + 1];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) return (null, "the client closed the connection before a complete request");
            int newline = Array.IndexOf(buffer, (byte)'\n', filled, n);
            filled += n;
            if (newline >= 0) return (buffer[..newline], null);
        }
        return (null, $"request longer than {ControlProtocol.MaxRequestBytes} bytes");
    }

    private void Refuse(Socket client, string? answer, string reason)
    {
        using (client)
        {
            Log(reason);
            if (answer is null) return;
            try
            {
                // A fresh socket's send buffer takes this small line without blocking.
                client.Blocking = false;
                client.Send([.. JsonSerializer.SerializeToUtf8Bytes(new ControlResponse { Error = answer }, ControlProtocol.Json.ControlResponse), (byte)'\n']);
            }
            catch (SocketException) { }
        }
    }

    private void Log(string reason)
    {
        if (_throttle.ShouldLog("control", out int suppressed))
            ControlEvents.Refused(_logger, reason, LogThrottle.Describe(suppressed));
    }

    /// <summary>The connecting process's user id (SO_PEERCRED: pid, uid, gid), null if the kernel did not say.</summary>
    private static uint? PeerUid(Socket client)
    {
        Span<byte> credentials = stackalloc byte[12];
        try
        {
            return client.GetRawSocketOption(SolSocket, SoPeerCred, credentials) >= 8
                ? BitConverter.ToUInt32(credentials[4..]) : null;
        }
        catch (SocketException) { return null; }
    }

    /// <summary>This process's effective user id, from /proc/self/status ("Uid: real effective saved fs").</summary>
    private static uint EffectiveUid()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("Uid:", StringComparison.Ordinal)
                && line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } ids && uint.TryParse(ids[1], out uint uid))
                return uid;
        return uint.MaxValue; // unknown: only root's connections pass the check
    }

    /// <summary>Stops answering, waits for the clients being served, and removes the socket (unless another server replaced it).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_clients.Keys).ConfigureAwait(false);
        if (_identity is { } mine && AppendOnlyFile.IdentityOf(Path) is { } now && now.SameFile(mine))
            File.Delete(Path);
        _stop.Dispose();
    }
}
