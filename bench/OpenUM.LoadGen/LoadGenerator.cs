using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.LoadGen;

/// <summary>
/// N Secured calls as a gateway places them: INVITE over one of a few persistent mutual-TLS connections with an SDES
/// offer (AES_CM_128_HMAC_SHA1_80, PCMU only), ACK, the known signal over SRTP once the greeting is over, BYE. Calls
/// start at a fixed rate; the media of all calls is paced by one <see cref="MediaPacer"/>.
/// </summary>
internal sealed class LoadGenerator(LoadOptions options)
{
    private static readonly MediaCapabilities Offer = new([AudioCodec.Pcmu], TelephoneEvent: false, SrtpMode.Required,
        [SrtpSuite.AesCm128HmacSha1_80]);
    private static readonly TimeSpan AnswerLimit = TimeSpan.FromSeconds(32);
    private static readonly TimeSpan ByeLimit = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly CallRecord[] _records = new CallRecord[options.Calls];
    private int _setUp, _endedByServer;

    /// <summary>Runs every call to its end and reports.</summary>
    public async Task<LoadReport> RunAsync(CancellationToken ct)
    {
        var target = options.Target!;
        var local = IPAddress.IsLoopback(target.Address) ? target.Address : LocalAddressFor(target.Address);
        using var clientCert = X509Certificate2.CreateFromPemFile(options.Cert!, options.Key!);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(options.Ca!);
        var agents = new SipUserAgent[options.Connections];
        for (int i = 0; i < agents.Length; i++)
        {
            agents[i] = new SipUserAgent(new SipUserAgentOptions
            {
                ListenAddress = local, TcpPort = null, UserAgentHeader = "OpenUM-LoadGen",
                TlsClientOptions = (_, name) => ClientOptions(name ?? options.ServerName, clientCert, ca),
                // Thousands of calls on one connection: the client side must not be the limit.
                ConnectionLimits = new SipConnectionLimits { MaxConnections = 1024 },
            }, TimeProvider.System, NullLogger.Instance);
            await agents[i].StartAsync(ct).ConfigureAwait(false);
            await OpenConnectionAsync(agents[i], local, ct).ConfigureAwait(false);
        }
        using var pacer = new MediaPacer(options.Calls);
        var cpuBefore = ProcessCpu.Self();
        var clock = Stopwatch.StartNew();
        pacer.Start();
        var calls = new Task[options.Calls];
        for (int i = 0; i < options.Calls; i++)
        {
            var due = TimeSpan.FromSeconds(i / options.Rate);
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
            calls[i] = CallAsync(i, agents[i % agents.Length], local, pacer, ct);
        }
        await Task.WhenAll(calls).ConfigureAwait(false);
        var wall = clock.Elapsed;
        pacer.Dispose();
        var cpu = ProcessCpu.Self() - cpuBefore;
        foreach (var agent in agents)
            await agent.DisposeAsync().ConfigureAwait(false);
        return new LoadReport(options.Calls, _setUp, options.Calls - _setUp, _endedByServer,
            _failures.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary(), _records.Sum(r => (long)r.FramesSent),
            _records.Sum(r => (long)r.SendErrors), pacer.PeakStreaming, wall.TotalSeconds, cpu.TotalSeconds, pacer.Ticks,
            pacer.TicksLate, pacer.TicksSkipped, pacer.WorstLateness.TotalMilliseconds, _records);
    }

    private async Task CallAsync(int index, SipUserAgent agent, IPAddress local, MediaPacer pacer, CancellationToken ct)
    {
        _records[index] = new CallRecord(index, "", "", 0, 0);
        SecuredCall? call = null;
        try
        {
            call = new SecuredCall(index, local, options.FramesPerCall);
            var offer = OfferAnswer.CreateOffer(Offer, local, call.LocalPort);
            string extension = (options.FirstExtension + index % options.Extensions).ToString(CultureInfo.InvariantCulture);
            var target = options.Target!;
            string host = $"{options.ServerName}:{target.Port}";
            var request = new OutgoingCallRequest(target,
                SipUri.Parse($"sip:{extension}@{host};transport=tls"),
                new SipNameAddress(SipUri.Parse($"sip:+1555{index:D7}@{local}"), "LoadGen " + index.ToString(CultureInfo.InvariantCulture)),
                new SipNameAddress(SipUri.Parse($"sip:{extension}@{host}")),
                Encoding.UTF8.GetBytes(offer.Sdp.ToString()), SipTransportKind.Tls) { TlsTargetName = options.ServerName };
            OutgoingCallResult answer;
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                limit.CancelAfter(AnswerLimit);
                answer = await agent.InviteAsync(request, limit.Token).ConfigureAwait(false);
            }
            string status = answer.StatusCode.ToString(CultureInfo.InvariantCulture);
            if (answer.Dialog is not { } dialog || answer.StatusCode is < 200 or >= 300 || answer.FinalResponse is null)
            {
                Fail(index, status);
                return;
            }
            _records[index] = _records[index] with { CallId = dialog.CallId };
            NegotiatedMedia? media = null;
            string? error = "malformed SDP answer";
            if (SessionDescription.TryParse(Encoding.UTF8.GetString(answer.FinalResponse.Body.Span), out var sdp, out _) && sdp is not null)
                media = OfferAnswer.ReadAnswer(offer, sdp, out error);
            if (media?.Srtp is null)
            {
                Fail(index, media is null ? "200 with " + error : "200 with plain RTP");
                await ByeAsync(dialog).ConfigureAwait(false);
                return;
            }
            Interlocked.Increment(ref _setUp);
            call.Start(media);
            pacer.Add(call);
            var first = await Task.WhenAny(call.Stopped, dialog.Terminated).ConfigureAwait(false);
            if (first != call.Stopped)
            {
                Interlocked.Increment(ref _endedByServer);
                call.RequestStop();
                await call.Stopped.ConfigureAwait(false);
            }
            else
            {
                await ByeAsync(dialog).ConfigureAwait(false);
            }
            _records[index] = _records[index] with { Status = first == call.Stopped ? "completed" : "ended by server" };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Fail(index, "no answer in 32 s");
        }
        catch (Exception e) when (e is IOException or AuthenticationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            Fail(index, e.GetType().Name);
        }
        finally
        {
            if (call is not null)
            {
                pacer.Remove(call);
                _records[index] = _records[index] with { FramesSent = call.FramesSent, SendErrors = call.SendErrors, GreetingMs = call.GreetingTime?.TotalMilliseconds ?? -1 };
                call.Dispose();
            }
        }
    }

    // An OPTIONS before the first call opens the agent's connection: calls started together would otherwise each open
    // one of their own (an agent reuses a connection once it is open, it does not wait for one being opened).
    private async Task OpenConnectionAsync(SipUserAgent agent, IPAddress local, CancellationToken ct)
    {
        var target = options.Target!;
        string host = $"{options.ServerName}:{target.Port}";
        var result = await agent.SendRequestAsync(new OutgoingRequest(target, "OPTIONS", SipUri.Parse($"sip:{host};transport=tls"),
            new SipNameAddress(SipUri.Parse($"sip:loadgen@{local}")), new SipNameAddress(SipUri.Parse($"sip:{host}")),
            SipTransportKind.Tls) { TlsTargetName = options.ServerName }, ct).ConfigureAwait(false);
        if (result.Response is null)
            throw new IOException($"no connection to {target}: OPTIONS got no response ({result.Failure})");
    }

    private void Fail(int index, string why)
    {
        _failures.AddOrUpdate(why, 1, (_, n) => n + 1);
        _records[index] = _records[index] with { Status = why };
    }

    private static async Task ByeAsync(SipDialog dialog)
    {
        if (dialog.Terminated.IsCompleted)
            return;
        try { await dialog.ByeAsync().WaitAsync(ByeLimit).ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or IOException or OperationCanceledException or InvalidOperationException) { }
    }

    // The server's certificate must chain to the test CA and carry the name called (revocation is the server's
    // concern in this benchmark: its CRL is not at hand to the generator).
    internal static SslClientAuthenticationOptions ClientOptions(string name, X509Certificate2 clientCert, X509Certificate2 ca)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        return new SslClientAuthenticationOptions
        {
            TargetHost = name,
            ClientCertificates = [clientCert],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateChainPolicy = policy,
        };
    }

    private static IPAddress LocalAddressFor(IPAddress remote)
    {
        using var probe = new System.Net.Sockets.Socket(remote.AddressFamily, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        probe.Connect(remote, 9); // UDP connect sends nothing; it only selects the route
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}

/// <summary>One call of the run, for the manifest the loss checker reads.</summary>
internal sealed record CallRecord(int Index, string CallId, string Status, int FramesSent, int SendErrors, double GreetingMs = -1);
