using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenUM.Server.Control;

namespace OpenUM.Server.Tests.Control;

/// <summary>
/// The control socket's second lock: even when a mistake opens the socket to everyone (directory traversable, socket
/// 0666), a client of another user is refused on the kernel's word (SO_PEERCRED), before the handler sees a request.
/// The client runs as user nobody (65534) through setpriv, so the test needs root, as the test command runs.
/// </summary>
public sealed class ControlPeerUserTests : IDisposable
{
    private const int Nobody = 65534;
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-control-peer-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    // Connects, sends a request and prints whatever comes back until the server closes the connection.
    private const string Client = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        try:
            s.sendall(b'{"command":"calls"}\n')
        except OSError:
            pass
        data = b''
        while True:
            try:
                chunk = s.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        sys.stdout.write(data.decode())
        """;

    [Fact]
    public async Task AnotherUsersClientIsRefusedEvenThroughASocketOpenedToAll()
    {
        Assert.True(Environment.UserName == "root", "this test runs its client as user nobody with setpriv, which needs root (the test command runs as root)");
        var commands = new List<string>();
        var events = new EventList();
        await using var server = ControlServer.TryStart(_root, c => { lock (commands) commands.Add(c); return new ControlResponse { Calls = [] }; },
            TimeProvider.System, events) ?? throw new InvalidOperationException("not started");
        string socketPath = Path.Combine(_root, ControlProtocol.SocketName);
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_001_001);        // 0711
        File.SetUnixFileMode(socketPath, (UnixFileMode)0b110_110_110);   // 0666

        var psi = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--reuid", $"{Nobody}", "--regid", $"{Nobody}", "--clear-groups", "/usr/bin/python3", "-c", Client, socketPath })
            psi.ArgumentList.Add(a);
        using var client = Process.Start(psi)!;
        var stdout = client.StandardOutput.ReadToEndAsync();
        var stderr = client.StandardError.ReadToEndAsync();
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await client.WaitForExitAsync(guard.Token);
        Assert.True(client.ExitCode == 0, $"the client as nobody failed (setpriv and /usr/bin/python3, Debian package python3, are needed):\n{await stdout}\n{await stderr}");

        // Connected (the mistake let it), then closed without an answer, the request never handed to the handler.
        Assert.Equal("", await stdout);
        lock (commands) Assert.Empty(commands);
        Assert.Contains(events.Snapshot(), e => e.Id == 2081 && e.Message.Contains($"user id {Nobody} is not the server's user", StringComparison.Ordinal));
    }

    private sealed class EventList : ILogger
    {
        private readonly List<(int Id, string Message)> _events = [];

        public IReadOnlyList<(int Id, string Message)> Snapshot() { lock (_events) return [.. _events]; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events) _events.Add((eventId.Id, formatter(state, exception)));
        }
    }
}
