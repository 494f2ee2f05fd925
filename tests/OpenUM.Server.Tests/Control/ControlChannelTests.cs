using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Server.Control;

namespace OpenUM.Server.Tests.Control;

/// <summary>The control socket: owner-only, one request and one answer, bounded, replacing a crashed server's socket, gone at stop.</summary>
public sealed class ControlChannelTests : IDisposable
{
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-control-").FullName;
    private readonly List<string> _commands = [];

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    private string SocketPath => Path.Combine(_root, ControlProtocol.SocketName);

    private ControlResponse Handler(string command)
    {
        lock (_commands) _commands.Add(command);
        return command == "calls" ? new ControlResponse { Calls = [] } : new ControlResponse { Error = "unknown command " + command };
    }

    private ControlServer Start(ILogger? logger = null) =>
        ControlServer.TryStart(_root, Handler, TimeProvider.System, logger ?? NullLogger.Instance) ?? throw new InvalidOperationException("not started");

    [Fact]
    public async Task AClientGetsTheHandlersAnswerOverAnOwnerOnlySocket()
    {
        await using var server = Start();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        Assert.Equal([ControlProtocol.SocketName], System.IO.Directory.GetFileSystemEntries(_root).Select(Path.GetFileName));

        var response = await ControlClient.RequestAsync(_root, "calls");
        Assert.NotNull(response.Calls);
        Assert.Empty(response.Calls);
        Assert.Equal(["calls"], _commands);

        var refused = await Assert.ThrowsAsync<ControlUnavailableException>(() => ControlClient.RequestAsync(_root, "reboot"));
        Assert.Contains("unknown command reboot", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAServerTheClientSaysHowToStartOne()
    {
        var e = await Assert.ThrowsAsync<ControlUnavailableException>(() => ControlClient.RequestAsync(_root, "status"));
        Assert.Equal($"no server is running for {_root}: start it with openum serve --data-dir {_root}", e.Message);
    }

    [Fact]
    public async Task TheSocketIsRemovedAtStopAndAStaleOneIsReplacedAtStart()
    {
        await (await StartAsync()).DisposeAsync();
        Assert.False(File.Exists(SocketPath));

        // A crashed server leaves its socket file behind, nobody answering on it. (Disposing a bound Socket unlinks the
        // path it bound, so the file is moved to its place first.)
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            string elsewhere = Path.Combine(_root, "crashed.sock");
            crashed.Bind(new UnixDomainSocketEndPoint(elsewhere));
            File.Move(elsewhere, SocketPath);
        }
        Assert.True(File.Exists(SocketPath));
        var stale = await Assert.ThrowsAsync<ControlUnavailableException>(() => ControlClient.RequestAsync(_root, "calls"));
        Assert.Contains("did not stop cleanly", stale.Message, StringComparison.Ordinal);

        var logger = new ListLogger();
        await using var server = Start(logger);
        Assert.Contains(logger.Events, e => e.Id == 2082);
        Assert.NotNull((await ControlClient.RequestAsync(_root, "calls")).Calls);
    }

    [Fact]
    public async Task ASecondServerOnTheSameDataDirectoryDoesNotTakeTheFirstOnesSocket()
    {
        await using var first = Start();
        var logger = new ListLogger();
        Assert.Null(ControlServer.TryStart(_root, Handler, TimeProvider.System, logger));
        Assert.Contains(logger.Events, e => e.Id == 2080 && e.Message.Contains("two servers share", StringComparison.Ordinal));
        Assert.NotNull((await ControlClient.RequestAsync(_root, "calls")).Calls);
    }

    [Fact]
    public async Task AnOversizedOrMalformedRequestIsRefusedWithoutReachingTheHandler()
    {
        var logger = new ListLogger();
        await using var server = Start(logger);

        string tooLong = await RawAsync(new string('x', ControlProtocol.MaxRequestBytes + 10) + "\n");
        Assert.Contains($"longer than {ControlProtocol.MaxRequestBytes} bytes", tooLong, StringComparison.Ordinal);
        string malformed = await RawAsync("status\n");
        Assert.Contains("malformed request", malformed, StringComparison.Ordinal);
        Assert.Empty(_commands);
        Assert.Contains(logger.Events, e => e.Id == 2081);
    }

    [Fact]
    public async Task ClientsBeyondTheLimitAreToldBusyWhileTheOthersAreServed()
    {
        await using var server = Start();
        // Silent clients hold every slot (each until its request deadline).
        var holders = new List<Socket>();
        try
        {
            for (int i = 0; i < ControlServer.MaxClients; i++)
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                holders.Add(s);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            }
            // The server takes the holders in order; the next client may arrive before it has counted them all, so
            // ask until "busy" comes back (a hang guard, not a timing claim).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(4);
            string answer = "";
            while (!answer.Contains("busy", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                answer = await RawAsync("{\"command\":\"calls\"}\n");
            Assert.Contains("busy", answer, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var s in holders) s.Dispose();
        }
    }

    private async Task<ControlServer> StartAsync()
    {
        await Task.Yield();
        return Start();
    }

    /// <summary>Sends <paramref name="request"/> as it is and returns everything the server answers until it closes.</summary>
    private async Task<string> RawAsync(string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        try { await socket.SendAsync(Encoding.UTF8.GetBytes(request), SocketFlags.None); }
        catch (SocketException) { } // the server may close before it has read everything
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int n;
        try
        {
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token)) > 0) answer.Write(buffer, 0, n);
        }
        catch (SocketException) { } // reset after the answer
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private sealed class ListLogger : ILogger
    {
        public List<(int Id, string Message)> Events { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Events) Events.Add((eventId.Id, formatter(state, exception)));
        }
    }
}
