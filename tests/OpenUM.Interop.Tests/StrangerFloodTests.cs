using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests;

/// <summary>The hostile-load generator itself, against small listeners started by the test (no OpenUM server).</summary>
public sealed class StrangerFloodTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    [Fact]
    public void LoopbackSourcesSkip127_0_0AndAreDistinct()
    {
        var sources = StrangerFlood.LoopbackSources(600);
        Assert.Equal(600, sources.Count);
        Assert.Equal(600, sources.Distinct().Count());
        Assert.Equal(IPAddress.Parse("127.0.1.1"), sources[0]);
        Assert.Equal(IPAddress.Parse("127.0.1.254"), sources[253]);
        Assert.Equal(IPAddress.Parse("127.0.2.1"), sources[254]);
        Assert.All(sources, a =>
        {
            byte[] b = a.GetAddressBytes();
            Assert.True(b[0] == 127 && b[1] == 0 && b[2] != 0 && b[3] is >= 1 and <= 254, $"{a} is not in 127.0.1-255.1-254");
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => StrangerFlood.LoopbackSources(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StrangerFlood.LoopbackSources(255 * 254 + 1));
    }

    [Fact]
    public async Task OpenFilesLimitIsTheShellsUlimit()
    {
        // A child inherits our RLIMIT_NOFILE: its `ulimit -n` is the soft limit we must read.
        var shell = await ChildProcess.RunAsync("sh", ["-c", "ulimit -n"], TimeSpan.FromSeconds(30));
        string text = shell.StdOut.Trim();
        int expected = text == "unlimited" ? -1 : int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, StrangerFlood.OpenFilesLimit());
        int budget = StrangerFlood.DescriptorBudget();
        Assert.True(expected < 0 || budget < expected, $"budget {budget} is not below the limit {expected}");
    }

    [Fact]
    public async Task FloodOfARefusingTlsListenerIsCountedAndCleanedUp()
    {
        var sources = StrangerFlood.LoopbackSources(6);
        await using var listener = new TestListener(RefuseWithoutCertificateAsync);
        var report = await StrangerFlood.RunAsync(new StrangerFloodOptions
        {
            Target = listener.EndPoint,
            Sources = sources,
            SilentPerSource = 4,
            HandshakeLoops = 4,
            Duration = TimeSpan.FromSeconds(3),
            HandshakeTimeout = HangGuard,   // the listener answers at once; only the run's end may cut a handshake
        }).WaitAsync(HangGuard);
        output.WriteLine(report.ToJson());
        await listener.StopAndDrainAsync(HangGuard);
        output.WriteLine($"listener: accepted {listener.Accepted}, closed {listener.Closed}, refused handshakes {listener.Refused}, sessions {listener.Sessions}");

        // Counters add up.
        Assert.Equal(report.ConnectsAttempted, report.ConnectsSucceeded + report.ConnectsFailed);
        Assert.Equal(report.ConnectsFailed, report.ConnectFailures.Values.Sum());
        Assert.Equal(report.HandshakesAttempted, report.HandshakesCompleted + report.HandshakesRefused
            + report.HandshakesTimedOut + report.HandshakesAbandoned);
        Assert.Equal(0, report.OpenSocketsAtEnd);
        Assert.Equal(24, report.SilentSlots);
        Assert.InRange(report.PeakSilentHeld, 1, report.SilentSlots);
        Assert.InRange(report.PeakOpenSockets, 1, report.SilentSlots + 4);

        // The listener refuses every certificate-less client after its ServerHello: work forced, no session.
        Assert.True(report.HandshakesServerHello > 0, "no handshake got a ServerHello");
        Assert.True(report.HandshakesRefused > 0, "no handshake was counted as refused");
        Assert.Equal(0, report.HandshakesCompleted);
        Assert.Equal(0, report.HandshakesRefusedBeforeServerHello);
        Assert.Equal(0, listener.Sessions);
        Assert.True(listener.Refused > 0, "the listener refused no handshake");
        // Half the listener's connections are closed after 1 s: those silent slots were re-opened.
        Assert.True(report.SilentClosedByServer > 0, "the listener closed no silent connection");
        Assert.True(report.SilentOpened > report.SilentSlots, $"{report.SilentOpened} silent opens for {report.SilentSlots} slots: none re-opened");

        // Every source was used, and the listener saw exactly those addresses.
        Assert.Equal(sources.Count, report.SourcesUsed);
        Assert.Equal(sources.OrderBy(a => a.ToString()), listener.Remotes.OrderBy(a => a.ToString()));
        // The other half are held by the listener for 60 s: they all ended within the hang guard, so the flood closed them.
        Assert.Equal(listener.Accepted, listener.Closed);
        // A connect cut by the run's end may still have completed in the kernel and been accepted.
        Assert.InRange(listener.Accepted, 1, report.ConnectsSucceeded + report.ConnectFailures.GetValueOrDefault("OperationAborted"));
    }

    [Fact]
    public async Task SilentConnectionsCanSendAClientHelloThenStall()
    {
        await using var listener = new TestListener(ReadFirstRecordAsync);
        var report = await StrangerFlood.RunAsync(new StrangerFloodOptions
        {
            Target = listener.EndPoint,
            Sources = StrangerFlood.LoopbackSources(2),
            SilentPerSource = 2,
            SilentSendsClientHello = true,
            HandshakeLoops = 0,
            ServerName = "flood.example.test",
            Duration = TimeSpan.FromSeconds(2),
        }).WaitAsync(HangGuard);
        output.WriteLine(report.ToJson());
        await listener.StopAndDrainAsync(HangGuard);
        output.WriteLine($"listener: accepted {listener.Accepted}, ClientHellos with the SNI {listener.Hellos}, other first records {listener.Others}");

        Assert.True(listener.Hellos > 0, "no connection began with a ClientHello naming flood.example.test");
        Assert.Equal(0, listener.Others);
        Assert.Equal(0, report.HandshakesAttempted);
        Assert.True(report.SilentClosedByServer > 0, "the listener closed no silent connection");
        Assert.Equal(listener.Accepted, listener.Closed);
        Assert.Equal(0, report.OpenSocketsAtEnd);
    }

    // Even-numbered connections get 1 s to handshake; odd ones are held for 60 s, so only the flood can close them.
    private static async Task RefuseWithoutCertificateAsync(TestListener l, Socket socket, long seq)
    {
        using var hold = new CancellationTokenSource(seq % 2 == 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60));
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = Certificate.Value,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = static (_, certificate, _, _) => certificate is not null,
            }, hold.Token);
            Interlocked.Increment(ref l.Sessions);
        }
        catch (AuthenticationException)
        {
            Interlocked.Increment(ref l.Refused);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // the client went away, or the hold ended
        }
    }

    // Plain TCP: the first TLS record must be a ClientHello (RFC 8446 §5.1 record header, §4 handshake type 1)
    // carrying the SNI; Hellos counts those, Others anything else. Closed after 1 s.
    private static async Task ReadFirstRecordAsync(TestListener l, Socket socket, long seq)
    {
        using var hold = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        using var s = socket;
        var buffer = new byte[16384];
        int n = 0;
        try
        {
            while (n < 5 || n < 5 + (buffer[3] << 8 | buffer[4]))
            {
                int r = await s.ReceiveAsync(buffer.AsMemory(n), SocketFlags.None, hold.Token);
                if (r == 0) return;
                n += r;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return;
        }
        bool hello = buffer[0] == 0x16 && buffer[1] == 0x03 && buffer[5] == 0x01
            && buffer.AsSpan(0, n).IndexOf("flood.example.test"u8) > 0;
        Interlocked.Increment(ref hello ? ref l.Hellos : ref l.Others);
        try { await Task.Delay(Timeout.Infinite, hold.Token); } catch (OperationCanceledException) { }
    }

    private static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=um.example.test", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    });

    // A loopback listener on a free port; counts accepted and finished connections and the remote addresses.
    private sealed class TestListener : IAsyncDisposable
    {
        private readonly Socket _listen = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly ConcurrentDictionary<IPAddress, byte> _remotes = new();
        private readonly ConcurrentBag<Task> _handlers = [];
        private readonly Func<TestListener, Socket, long, Task> _handle;
        private readonly Task _acceptLoop;
        private int _accepted, _closed;
        public int Sessions, Refused, Hellos, Others;

        public TestListener(Func<TestListener, Socket, long, Task> handle)
        {
            _handle = handle;
            _listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listen.Listen(1024);
            EndPoint = (IPEndPoint)_listen.LocalEndPoint!;
            _acceptLoop = AcceptAsync();
        }

        public IPEndPoint EndPoint { get; }
        public int Accepted => Volatile.Read(ref _accepted);
        public int Closed => Volatile.Read(ref _closed);
        public IEnumerable<IPAddress> Remotes => _remotes.Keys;

        // Stops accepting, then waits for every accepted connection to end (fails after the hang guard).
        public async Task StopAndDrainAsync(TimeSpan hangGuard)
        {
            _listen.Dispose();
            await _acceptLoop;
            try
            {
                await Task.WhenAll(_handlers).WaitAsync(hangGuard);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{Accepted - Closed} of {Accepted} accepted connections still open {hangGuard.TotalSeconds:0} s after the flood ended");
            }
        }

        private async Task AcceptAsync()
        {
            long seq = 0;
            while (true)
            {
                Socket socket;
                try { socket = await _listen.AcceptAsync(); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                Interlocked.Increment(ref _accepted);
                _remotes.TryAdd(((IPEndPoint)socket.RemoteEndPoint!).Address, 0);
                _handlers.Add(RunAsync(socket, seq++));
            }
        }

        private async Task RunAsync(Socket socket, long seq)
        {
            try { await _handle(this, socket, seq); }
            finally
            {
                socket.Dispose();
                Interlocked.Increment(ref _closed);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listen.Dispose();
            await _acceptLoop;
        }
    }
}
