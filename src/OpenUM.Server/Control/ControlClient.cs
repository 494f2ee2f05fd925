using System.Net.Sockets;
using System.Text.Json;

namespace OpenUM.Server.Control;

/// <summary>No running server could be asked: the message says why and what to do.</summary>
public sealed class ControlUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The CLI's side of the control channel: one request, one response, over the data directory's control.sock.</summary>
public static class ControlClient
{
    /// <summary>How long the CLI waits for the server's answer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>True when a server accepts connections on <paramref name="socketPath"/>.</summary>
    public static bool Answers(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool MayLookInto(string directory)
    {
        try
        {
            _ = System.IO.Directory.EnumerateFileSystemEntries(directory).Any();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends <paramref name="command"/> to the server of <paramref name="dataDirectory"/> and returns its answer; throws
    /// <see cref="ControlUnavailableException"/> when no server answers there, or the server's error.
    /// </summary>
    public static async Task<ControlResponse> RequestAsync(string dataDirectory, string command, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        string path = Path.Combine(dataDirectory, ControlProtocol.SocketName);
        string notRunning = $"no server is running for {dataDirectory}: start it with openum serve --data-dir {dataDirectory}";
        if (!File.Exists(path))
        {
            if (System.IO.Directory.Exists(dataDirectory) && !MayLookInto(dataDirectory))
                throw new ControlUnavailableException($"{dataDirectory} belongs to another user (the server's data directory is owner-only): " +
                    "run the command as the server's user (e.g. sudo -u openum openum status)");
            throw new ControlUnavailableException(notRunning);
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), limit.Token).ConfigureAwait(false);
            byte[] request = [.. JsonSerializer.SerializeToUtf8Bytes(new ControlRequest(command), ControlProtocol.Json.ControlRequest), (byte)'\n'];
            await socket.SendAsync(request, SocketFlags.None, limit.Token).ConfigureAwait(false);
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var body = new MemoryStream();
            await stream.CopyToAsync(body, limit.Token).ConfigureAwait(false);
            var response = JsonSerializer.Deserialize(body.ToArray().AsSpan().TrimEnd((byte)'\n'), ControlProtocol.Json.ControlResponse)
                ?? throw new ControlUnavailableException($"the server at {path} sent an empty answer");
            if (response.Error is { } error) throw new ControlUnavailableException($"the server at {path} refused the request: {error}");
            return response;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            throw new ControlUnavailableException($"{notRunning} ({path} was left by a server that did not stop cleanly; the next start replaces it)", e);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new ControlUnavailableException($"{path} belongs to the server's user, and only that user may ask it: run the command as that user " +
                "(e.g. sudo -u openum openum status)", e);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ControlUnavailableException($"the server at {path} did not answer within {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
        }
        catch (JsonException e)
        {
            throw new ControlUnavailableException($"the server at {path} sent an answer this openum cannot read (another version?): {e.Message}", e);
        }
    }
}
