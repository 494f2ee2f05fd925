using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// A bounded hostile load on a SIP TLS listener from many loopback "strangers": silent connections held per source
/// (re-opened whenever the server closes one) and loops of back-to-back TLS handshakes without a client certificate.
/// It never opens more sockets than its own descriptor limit allows (minus a margin), so the process running it does
/// not hit EMFILE itself.
/// </summary>
public static partial class StrangerFlood
{
    // Linux: bind(addr, 0) picks the port at connect() time, per 4-tuple, so a source's ports are not exhausted
    // by sockets bound to the same address but connected elsewhere (or in TIME_WAIT towards other ports).
    private const int IpProtoIp = 0;
    private const int IpBindAddressNoPort = 24;
    private static readonly byte[] One = [1, 0, 0, 0];
    // Received bytes are never looked at: every receive of every connection shares this buffer.
    private static readonly byte[] Discard = new byte[4096];

    /// <summary>
    /// <paramref name="count"/> loopback addresses 127.0.1.1, 127.0.1.2 ... 127.0.1.254, 127.0.2.1 ... (the whole of
    /// 127/8 reaches lo on Linux); 127.0.0.0/24, where tests put trusted gateways, is never used.
    /// </summary>
    public static IReadOnlyList<IPAddress> LoopbackSources(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 255 * 254);
        var list = new IPAddress[count];
        for (int i = 0; i < count; i++)
            list[i] = new IPAddress(new byte[] { 127, 0, (byte)(1 + i / 254), (byte)(1 + i % 254) });
        return list;
    }

    /// <summary>This process's soft RLIMIT_NOFILE, from /proc/self/limits ("Max open files"); -1 when unlimited or unknown.</summary>
    public static int OpenFilesLimit()
    {
        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                continue;
            string[] parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 0 && int.TryParse(parts[0], out int soft) ? soft : -1;
        }
        return -1;
    }

    /// <summary>
    /// Sockets a flood may hold at once: the soft descriptor limit minus what is open now minus a margin (a tenth of
    /// the limit, at least 128) for everything else the process does (a listener under test, logs, pipes).
    /// </summary>
    public static int DescriptorBudget()
    {
        int limit = OpenFilesLimit();
        if (limit < 0)
            limit = 1 << 20;
        int open = System.IO.Directory.GetFiles("/proc/self/fd").Length;
        return Math.Max(0, limit - open - Math.Max(128, limit / 10));
    }

    /// <summary>Runs the flood for <see cref="StrangerFloodOptions.Duration"/> (or until cancelled) and reports.</summary>
    public static async Task<StrangerFloodReport> RunAsync(StrangerFloodOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sources.Count == 0)
            throw new ArgumentException("at least one source address is needed", nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.SilentPerSource);
        ArgumentOutOfRangeException.ThrowIfNegative(options.HandshakeLoops);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPendingConnects, 1);
        if (options.Target.AddressFamily != AddressFamily.InterNetwork || options.Sources.Any(a => a.AddressFamily != AddressFamily.InterNetwork))
            throw new ArgumentException("the target and every source must be IPv4 addresses", nameof(options));
        var run = new FloodRun(options, DescriptorBudget());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        byte[]? hello = options.SilentSendsClientHello ? await CaptureClientHelloAsync(run.ClientOptions) : null;
        var started = System.Diagnostics.Stopwatch.StartNew();
        stop.CancelAfter(options.Duration);
        var tasks = new List<Task>(run.SilentSlots + run.Loops);
        for (int slot = 0; slot < run.SilentSlots; slot++)
            tasks.Add(run.SilentSlotAsync(slot % options.Sources.Count, hello, stop.Token));
        for (int loop = 0; loop < run.Loops; loop++)
            tasks.Add(run.HandshakeLoopAsync(stop.Token));
        await Task.WhenAll(tasks);
        return run.Report(started.Elapsed);
    }

    // The ClientHello this runtime sends for these options, captured once from an SslStream over a stream that
    // records the first write and never answers.
    private static async Task<byte[]> CaptureClientHelloAsync(SslClientAuthenticationOptions clientOptions)
    {
        var capture = new CaptureStream();
        using var cancel = new CancellationTokenSource();
        using var ssl = new SslStream(capture, leaveInnerStreamOpen: true);
        var handshake = ssl.AuthenticateAsClientAsync(clientOptions, cancel.Token);
        byte[] hello = await capture.Written.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        try { await handshake; } catch (OperationCanceledException) { } catch (IOException) { }
        return hello;
    }

    private enum Outcome { Completed, CompletedThenRefused, RefusedAfterServerHello, RefusedByAlert, RefusedByReset, RefusedByClose, TimedOut, Abandoned }

    // One run's sockets and counters; every counter is touched with Interlocked only.
    private sealed class FloodRun
    {
        private readonly StrangerFloodOptions _o;
        private readonly IPEndPoint[] _bind;
        private readonly int[] _sourceUsed;
        private readonly int _budget;
        private readonly ConcurrentDictionary<SocketError, long> _failures = new();
        private readonly SemaphoreSlim _connectGate;
        private int _sourcesUsed, _nextSource, _open, _peakOpen, _silentHeld, _peakSilent;
        private long _connects, _connected, _failed, _silentOpened, _silentClosedByServer;
        private long _hsAttempted, _hsServerHello;
        private readonly long[] _outcomes = new long[Enum.GetValues<Outcome>().Length];

        public FloodRun(StrangerFloodOptions o, int budget)
        {
            _o = o;
            _budget = budget;
            _bind = o.Sources.Select(a => new IPEndPoint(a, 0)).ToArray();
            _sourceUsed = new int[_bind.Length];
            _connectGate = new SemaphoreSlim(o.MaxPendingConnects, o.MaxPendingConnects);
            Loops = Math.Min(o.HandshakeLoops, budget);
            SilentSlots = (int)Math.Min((long)o.SilentPerSource * o.Sources.Count, budget - Loops);
            ClientOptions = new SslClientAuthenticationOptions
            {
                TargetHost = o.ServerName,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // The chain is built anyway before the callback: an empty custom root store and no downloads keep
                // that from searching the system's roots on every handshake.
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                    DisableCertificateDownloads = true,
                },
                // The point is to make the server work, not to check it; a new session every time.
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
                AllowTlsResume = false,
            };
        }

        public int Loops { get; }
        public int SilentSlots { get; }
        public SslClientAuthenticationOptions ClientOptions { get; }

        public async Task SilentSlotAsync(int source, byte[]? hello, CancellationToken stop)
        {
            var connect = CancellationTokenSource.CreateLinkedTokenSource(stop);
            int failures = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    if (!connect.TryReset())
                    {
                        connect.Dispose();
                        connect = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    }
                    var socket = await ConnectSilentAsync(source, connect, stop);
                    connect.TryReset();   // stops the connect timer (false when it fired: replaced above next time)
                    if (socket is null)
                    {
                        await BackoffAsync(++failures, stop);
                        continue;
                    }
                    failures = 0;
                    await HoldAsync(socket, hello, stop);
                }
            }
            finally
            {
                connect.Dispose();
            }
        }

        // A turn at the connect gate, then a connect bounded by ConnectTimeout.
        private async ValueTask<Socket?> ConnectSilentAsync(int source, CancellationTokenSource connect, CancellationToken stop)
        {
            try
            {
                await _connectGate.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            try
            {
                connect.CancelAfter(_o.ConnectTimeout);
                return await ConnectAsync(source, connect.Token, stop);
            }
            finally
            {
                _connectGate.Release();
            }
        }

        // Sends nothing (or the ClientHello) and waits for the server to close; the run's end closes it otherwise.
        private async Task HoldAsync(Socket socket, byte[]? hello, CancellationToken stop)
        {
            Interlocked.Increment(ref _silentOpened);
            Peak(ref _peakSilent, Interlocked.Increment(ref _silentHeld));
            try
            {
                if (hello is not null)
                    await socket.SendAsync(hello, SocketFlags.None, stop);
                while (await socket.ReceiveAsync(Discard, SocketFlags.None, stop) > 0) { }
                Interlocked.Increment(ref _silentClosedByServer);
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _silentClosedByServer);   // reset by the server
            }
            catch (OperationCanceledException)
            {
                // the run ended: we close it
            }
            finally
            {
                Interlocked.Decrement(ref _silentHeld);
                Close(socket);
            }
        }

        public async Task HandshakeLoopAsync(CancellationToken stop)
        {
            var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
            int failures = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    if (!attempt.TryReset())
                    {
                        attempt.Dispose();
                        attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    }
                    attempt.CancelAfter(_o.HandshakeTimeout);
                    int source = (int)((uint)Interlocked.Increment(ref _nextSource) % (uint)_bind.Length);
                    var socket = await ConnectAsync(source, attempt.Token, stop);
                    if (socket is null)
                    {
                        await BackoffAsync(++failures, stop);
                        continue;
                    }
                    failures = 0;
                    await HandshakeAsync(socket, attempt.Token, stop);
                }
            }
            finally
            {
                attempt.Dispose();
            }
        }

        private async Task HandshakeAsync(Socket socket, CancellationToken attempt, CancellationToken stop)
        {
            Interlocked.Increment(ref _hsAttempted);
            var watched = new WatchedStream(new NetworkStream(socket, ownsSocket: false));
            var ssl = new SslStream(watched, leaveInnerStreamOpen: false);
            Outcome outcome;
            try
            {
                await ssl.AuthenticateAsClientAsync(ClientOptions, attempt);
                outcome = Outcome.Completed;
                // TLS 1.3: the server judges our (absent) certificate after our Finished; its verdict comes next.
                try
                {
                    if (await ssl.ReadAsync(Discard.AsMemory(0, 1), attempt) == 0)
                        outcome = Outcome.CompletedThenRefused;
                }
                catch (Exception e) when (e is IOException or AuthenticationException)
                {
                    outcome = Outcome.CompletedThenRefused;
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    // no verdict within the attempt: the server kept the session, or is too slow to refuse it
                }
            }
            catch (OperationCanceledException)
            {
                outcome = stop.IsCancellationRequested ? Outcome.Abandoned : Outcome.TimedOut;
            }
            catch (Exception e) when (e is IOException or AuthenticationException or SocketException)
            {
                outcome = watched.ServerHelloSeen ? Outcome.RefusedAfterServerHello
                    : watched.FirstRecordType == 0x15 ? Outcome.RefusedByAlert
                    : watched.Reset ? Outcome.RefusedByReset : Outcome.RefusedByClose;
            }
            finally
            {
                if (watched.ServerHelloSeen)
                    Interlocked.Increment(ref _hsServerHello);
                await ssl.DisposeAsync();
                Close(socket);
            }
            Interlocked.Increment(ref _outcomes[(int)outcome]);
        }

        // A socket bound to the source and connected, or null (counted by SocketError). The socket closes with RST
        // (linger 0): no TIME_WAIT piles up on either side, which is what a cheap attacker does anyway.
        private async ValueTask<Socket?> ConnectAsync(int source, CancellationToken ct, CancellationToken stop)
        {
            // At the end, releases of the connect gate hand turns to queued slots: those are not attempts.
            if (stop.IsCancellationRequested)
                return null;
            Interlocked.Increment(ref _connects);
            Socket socket;
            try
            {
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (SocketException e)
            {
                return Failed(e.SocketErrorCode);
            }
            Peak(ref _peakOpen, Interlocked.Increment(ref _open));
            try
            {
                socket.NoDelay = true;
                socket.LingerState = new LingerOption(true, 0);
                socket.SetRawSocketOption(IpProtoIp, IpBindAddressNoPort, One);
                socket.Bind(_bind[source]);
                await socket.ConnectAsync(_o.Target, ct);
                Interlocked.Increment(ref _connected);
                if (Interlocked.Exchange(ref _sourceUsed[source], 1) == 0)
                    Interlocked.Increment(ref _sourcesUsed);
                return socket;
            }
            catch (SocketException e)
            {
                Close(socket);
                return Failed(e.SocketErrorCode);
            }
            catch (OperationCanceledException)
            {
                Close(socket);
                return Failed(stop.IsCancellationRequested ? SocketError.OperationAborted : SocketError.TimedOut);
            }
        }

        private Socket? Failed(SocketError error)
        {
            Interlocked.Increment(ref _failed);
            _failures.AddOrUpdate(error, 1, static (_, n) => n + 1);
            return null;
        }

        // Called exactly once for every socket created (the SslStream path does not own its socket).
        private void Close(Socket socket)
        {
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }

        // After a failed connect (EADDRNOTAVAIL, ECONNREFUSED, EMFILE, a timeout): 10 ms doubling to 640 ms.
        private static async Task BackoffAsync(int failures, CancellationToken stop)
        {
            try { await Task.Delay(10 << Math.Min(failures - 1, 6), stop); }
            catch (OperationCanceledException) { }
        }

        private static void Peak(ref int peak, int value)
        {
            int seen = Volatile.Read(ref peak);
            while (value > seen)
            {
                int prior = Interlocked.CompareExchange(ref peak, value, seen);
                if (prior == seen) return;
                seen = prior;
            }
        }

        public StrangerFloodReport Report(TimeSpan elapsed) => new(
            elapsed.TotalSeconds, _bind.Length, Volatile.Read(ref _sourcesUsed), _budget, SilentSlots,
            Interlocked.Read(ref _connects), Interlocked.Read(ref _connected), Interlocked.Read(ref _failed),
            _failures.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal).ToDictionary(p => p.Key.ToString(), p => p.Value),
            Interlocked.Read(ref _silentOpened), Interlocked.Read(ref _silentClosedByServer), Volatile.Read(ref _peakSilent),
            Volatile.Read(ref _peakOpen), Volatile.Read(ref _open),
            Interlocked.Read(ref _hsAttempted), Interlocked.Read(ref _hsServerHello), Count(Outcome.Completed),
            Count(Outcome.CompletedThenRefused), Count(Outcome.RefusedAfterServerHello), Count(Outcome.RefusedByAlert),
            Count(Outcome.RefusedByReset), Count(Outcome.RefusedByClose), Count(Outcome.TimedOut), Count(Outcome.Abandoned));

        private long Count(Outcome o) => Interlocked.Read(ref _outcomes[(int)o]);
    }
}
