using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenUM.Calls;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Session;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Server;

/// <summary>
/// The UM service: opens the store (seeding a demo configuration when it is empty), keeps the trusted
/// peer list in step with the configuration, and runs the SIP listeners, media and call control.
/// </summary>
public sealed class UmService(ServeOptions options, DataDirectory data, IConfigurationStore store, TimeProvider time,
    ILoggerFactory loggers, IHostApplicationLifetime lifetime, Control.RecentEvents recent, Systemd.ServiceManagerNotifier systemd)
    : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("OpenUM.Server");
    private ConfigurationMonitor? _monitor;
    private OpenUM.Directory.Postgres.PostgresChangeFeed? _feed;
    private SipUserAgent? _agent;
    private MediaClock? _clock;
    private RtpPortRange? _ports;

    // A bound on what an idle server keeps open (256 ports), not a measured optimum. Socket creation was 3.6 % of the
    // server's CPU samples without idle pairs (3,000 calls/s), 0.45 % with them (6,000/s); a burst beyond binds new pairs.
    private const int IdleMediaPorts = 128;
    private CallController? _calls;
    private OpenUM.Calls.MessageWaiting.MessageWaitingNotifier? _mwi;
    private SmtpDelivery? _delivery;
    private readonly Lock _smtpTlsGate = new();
    private TrustedPeers? _peers;
    private volatile ServerTls? _tls;
    private ListenerPlan? _plan;
    private int _tcpPort, _tlsPort;
    private readonly SemaphoreSlim _listenerGate = new(1, 1);
    private Storage.StorageMonitor? _storage;
    private CancellationTokenSource? _housekeeping;
    private Task? _housekeepingLoop;
    private Control.ControlServer? _control;
    private DateTimeOffset _startedAt;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);

    /// <summary>Exit code for the process: 0, or 1 after a fatal start error (1038).</summary>
    public int ExitCode { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            await StartCoreAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ConfigurationValidationException
            or InvalidDataException or CertificateStoreException or System.Security.Cryptography.CryptographicException)
        {
            ServerEvents.FailedToStart(_logger, e is SocketException se ? DescribeBindFailure(se) : e.Message);
            ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        DemoConfiguration.EnsureSeeded(store, options, _logger);
        var server = DemoConfiguration.EnsureServer(store, options.ServerName);
        _monitor = new ConfigurationMonitor(store, time, ConfigurationStores.PollInterval(store));
        _peers = new TrustedPeers(loggers.CreateLogger("OpenUM.Calls.Admission"), serverFqdn: options.Fqdn);
        await _peers.RebuildAsync(_monitor.Current, ct).ConfigureAwait(false);
        LogConfiguration(_monitor.Current);
        _monitor.Changed += snapshot => _ = OnConfigurationChangedAsync(snapshot);
        // A store that is away fails every poll: one line per distinct error every 5 minutes, and a stack trace only
        // for what is not an outage.
        var reloadThrottle = new LogThrottle(time, TimeSpan.FromMinutes(5));
        _monitor.Error += e =>
        {
            if (reloadThrottle.ShouldLog(e.GetType().Name + e.Message, out int suppressed))
                ServerEvents.ConfigurationReloadFailed(_logger, ConfigurationStores.IsOutage(e) ? null : e, e.Message, LogThrottle.Describe(suppressed));
        };
        _monitor.Start();
        // CFG-3: a shared store notifies every server of each committed change; the poll is the fallback.
        if (ConfigurationStores.Follow(store, _monitor) is { } feed)
        {
            feed.Lost += e => ServerEvents.ConfigurationFeedLost(_logger, (int)ConfigurationStores.PollInterval(store).TotalSeconds, e.Message);
            feed.Restored += outage => ServerEvents.ConfigurationFeedRestored(_logger, feed.Location.Display, Math.Round(outage.TotalSeconds, 1));
            (_feed = feed).Start();
        }

        int tcpPort = options.SipTcpPort ?? server.SipTcpListeningPort;
        int tlsPort = options.SipTlsPort ?? server.SipTlsListeningPort;
        var plan = ListenerPlan.Decide(server, _monitor.Current);
        // RUN-2/RUN-3: in TLS or Dual mode the certificate is selected before anything listens; TCP mode needs none.
        if (plan.Tls) EnsureTls(_monitor.Current, server.CertificateThumbprint);
        // Up to IdleMediaPorts socket pairs of ended calls stay bound for the next calls (RtpPortRange).
        var ports = _ports = new RtpPortRange(options.RtpFirstPort, options.RtpLastPort, IdleMediaPorts);
        _clock = new MediaClock(time);
        var callLogger = loggers.CreateLogger("OpenUM.Calls");
        GreetingStore.Tighten(data.Root, callLogger); // greetings of older versions were world-readable
        _agent = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = options.ListenAddress,
            TcpPort = plan.Tcp ? tcpPort : null,
            TlsPort = plan.Tls ? tlsPort : null,
            UdpPort = options.SipUdpPort,
            TlsServerOptions = info => _tls!.ServerOptions(info),
            // The TLS side may not exist yet (a TCP-only listener): an outgoing TLS connection creates it, as SMTP does.
            TlsClientOptions = (target, name) => Tls().ClientOptions(target, name),
            ConnectionLimits = ConnectionLimitsOf(server),
            UserAgentHeader = "OpenUM/" + typeof(UmService).Assembly.GetName().Version?.ToString(3),
            // Message-waiting: gateways may SUBSCRIBE to message-summary (the notifier exists before the agent starts).
            Notifier = new SipNotifierOptions { EventPackages = [MessageSummary.EventPackage], OnSubscribe = s => _mwi?.OnSubscribeAsync(s) ?? ValueTask.CompletedTask },
        }, time, loggers.CreateLogger("OpenUM.Sip"));
        _delivery = new SmtpDelivery(data, options.Fqdn, () => _monitor.Current.FindUmServer(options.ServerName), SmtpTls, time, loggers);
        _calls = new CallController(() => _monitor.Current, _peers, ports, _clock, _agent.Wheel,
            // The shipped language packs with the administrator's replacements in <data-dir>/prompts (events 2078/2079).
            _delivery.Spool, Calls.Languages.PromptLanguages.Load(data.Prompts, callLogger).Default,
            new CallControllerOptions(options.ServerName, data.Root, options.Fqdn), time, callLogger);
        // LogonFailuresBeforePINReset: the new PIN is mailed by the path voice messages take.
        var pinResets = new PinResetMailer(() => _monitor.Current, _delivery.Router, time, callLogger);
        _calls.SubscriberAccess = new SubscriberAccessServices(new OpenUM.Directory.Pins.PinAuthenticator(store, time, pinResets),
            new OpenUM.Calls.Outdialing.OutdialingEngine(new OpenUM.Calls.Outdialing.OutdialingOptions(), time, callLogger), _delivery.Messages,
            Store: store); // self-service by phone: greetings, away, PIN
        // Refuse before loss: the first call is already checked against the data directory's free space.
        _storage = new Storage.StorageMonitor(Storage.StorageMonitor.PathsOf(data), new Storage.StatVfsProbe(),
            Storage.StoragePolicy.Follow(() => _monitor.Current, options.ServerName), () => _calls?.ActiveCalls ?? 0, time, _logger);
        _storage.Start();
        _calls.Storage = _storage;
        _delivery.Spool.StorageFailed += _storage.ReportWriteFailure;
        _agent.AdmitAddress = _calls.AdmitAddress;
        _agent.AddressRefused += _calls.OnAddressRefused;
        _agent.Admit = _calls.Admit;
        _agent.OnIncomingCall = _calls.OnIncomingCall;
        _mwi = new OpenUM.Calls.MessageWaiting.MessageWaitingNotifier(() => _monitor.Current, _delivery.Messages, _delivery.Changes,
            _agent.SendRequestAsync, _calls.GatewayOf, new(options.Fqdn) { CanCount = () => StoreSeesMailboxes(_monitor.Current.FindUmServer(options.ServerName)) },
            time, callLogger);
        _monitor.Changed += _mwi.OnConfigurationChanged;
        _agent.TlsHandshakeFailed += (info, error, certificateRefused) => _tls?.OnHandshakeFailed(info, error, certificateRefused);
        var invalidThrottle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        _agent.MessageRejected += (connection, rejection, outcome) =>
        {
            if (invalidThrottle.ShouldLog(connection.Remote.Address.ToString(), out int suppressed))
                CallEvents.InvalidSipHeader(callLogger, connection.Remote.Address.ToString(), connection.Remote.Port,
                    rejection.StatusCode, rejection.ReasonPhrase, outcome == SipRejectionOutcome.Answered ? "answered" : "dropped",
                    LogThrottle.Describe(suppressed));
        };
        (_plan, _tcpPort, _tlsPort) = (plan, tcpPort, tlsPort);
        await _agent.StartAsync(ct).ConfigureAwait(false);
        // Before 1114 (listening): whoever waits for that event can ask `openum status` at once.
        _startedAt = time.GetUtcNow();
        _control = Control.ControlServer.TryStart(data.Root, Answer, time, _logger);

        PeerWarnings.Check(_monitor.Current, plan.Tcp, plan.Tls, plan.Mode, callLogger);
        WarnTlsFromAnyAddress(server, plan);
        string udp = options.SipUdpPort is { } u ? $", SIP UDP {u}" : "";
        ServerEvents.StartingMode(_logger, plan.Mode, _agent.TcpPort ?? 0, _agent.TlsPort ?? 0, udp, $"{options.RtpFirstPort}-{options.RtpLastPort}");
        ServerEvents.Started(_logger, options.ServerName, data.Root);

        _housekeeping = new CancellationTokenSource();
        _housekeepingLoop = HousekeepingAsync(_housekeeping.Token);
        _delivery.Start();
        _mwi.Start();
    }

    /// <summary>
    /// Type=notify: tells systemd the service is up (it starts what depends on it only now) and starts the watchdog
    /// pings; called once every hosted service has started.
    /// </summary>
    public void NotifyReady()
    {
        if (_agent is null) return;
        systemd.Ready($"{_plan!.Mode} mode: SIP TCP {_agent.TcpPort ?? 0}, TLS {_agent.TlsPort ?? 0}");
        systemd.StartWatchdog(_agent.Wheel, Systemd.ServiceManagerNotifier.WatchdogIntervalFromEnvironment());
    }

    /// <summary>
    /// `systemctl reload` (SIGHUP): the configuration is read now rather than at the next poll, gateway names are
    /// resolved again, and the certificate store (certificates, chains, trusted CAs, CRLs) is read again even if its
    /// files look unchanged — a renewed certificate or CRL written in place is served to the next handshake. Calls in
    /// progress keep their connections. A reload already running absorbs the request.
    /// </summary>
    public async Task ReloadAsync()
    {
        if (_monitor is null || _peers is null || !await _reloadGate.WaitAsync(0).ConfigureAwait(false)) return;
        try
        {
            systemd.Reloading();
            _monitor.Poll();
            var snapshot = _monitor.Current;
            await _peers.RebuildAsync(snapshot, CancellationToken.None).ConfigureAwait(false);
            string certificate = "not in use (no TLS listener or smart host needs one)";
            if (_tls is { } tls)
            {
                certificate = tls.Reload(snapshot, snapshot.FindUmServer(options.ServerName)?.CertificateThumbprint) && tls.Current.Details is { } d
                    ? $"{d.Thumbprint} ({d.Subject}, valid until {d.NotAfter:yyyy-MM-dd})"
                    : "unchanged (the store could not be loaded: see event 2013)";
            }
            ServerEvents.Reloaded(_logger, snapshot.Version, certificate);
        }
        catch (Exception e)
        {
            ServerEvents.ConfigurationApplyFailed(_logger, e, _monitor.Current.Version, e.Message);
        }
        finally
        {
            systemd.Reloaded($"{_plan?.Mode} mode: SIP TCP {_agent?.TcpPort ?? 0}, TLS {_agent?.TlsPort ?? 0}");
            _reloadGate.Release();
        }
    }

    /// <summary>Whether the message store sees the mailboxes: an IMAP store, or the local maildir (no smart host); not with a smart host alone.</summary>
    private static bool StoreSeesMailboxes(UmServer? server) =>
        OpenUM.Delivery.Mailboxes.Imap.ImapSettings.From(server) is not null || OpenUM.Delivery.Smtp.SmartHostSettings.From(server) is null;

    /// <summary>The server certificate for the smart host connection (mutual TLS), whatever the SIP listeners need.</summary>
    private TlsContext SmtpTls() => Tls().Current;

    /// <summary>The TLS side for an outgoing connection (SMTP, SIP to a gateway), created on first use when no TLS listener made it.</summary>
    private ServerTls Tls()
    {
        if (_tls is { } ready) return ready;
        lock (_smtpTlsGate)
        {
            var snapshot = _monitor!.Current;
            EnsureTls(snapshot, snapshot.FindUmServer(options.ServerName)?.CertificateThumbprint);
            return _tls!;
        }
    }

    private async Task OnConfigurationChangedAsync(ConfigurationSnapshot snapshot)
    {
        try
        {
            await _peers!.RebuildAsync(snapshot, CancellationToken.None).ConfigureAwait(false);
            LogConfiguration(snapshot);
            var server = snapshot.FindUmServer(options.ServerName);
            _tls?.Update(snapshot, server?.CertificateThumbprint);
            var plan = ListenerPlan.Decide(server, snapshot);
            await FollowDialPlansAsync(plan, snapshot, server?.CertificateThumbprint).ConfigureAwait(false);
            PeerWarnings.Check(snapshot, _plan!.Tcp, _plan.Tls, _plan.Mode, _logger);
            if (_agent is { } agent && ConnectionLimitsOf(server) is var limits && limits != agent.ConnectionLimits) agent.ConnectionLimits = limits;
            WarnTlsFromAnyAddress(server, _plan);
        }
        catch (Exception e)
        {
            ServerEvents.ConfigurationApplyFailed(_logger, e, snapshot.Version, e.Message);
        }
    }

    /// <summary>The TLS side, created the first time a TLS listener is needed (it selects or generates the certificate).</summary>
    private void EnsureTls(ConfigurationSnapshot snapshot, string? boundThumbprint)
    {
        if (_tls is not null) return;
        var tls = new ServerTls(new CertificateStore(data.Certificates, time), options.Fqdn, boundThumbprint, time,
            loggers.CreateLogger("OpenUM.Security"));
        tls.Update(snapshot, boundThumbprint);
        _tls = tls;
    }

    /// <summary>RUN-1 without a restart: when the dial plans call for another mode, the listeners change; calls in progress stay.</summary>
    private async Task FollowDialPlansAsync(ListenerPlan plan, ConfigurationSnapshot snapshot, string? boundThumbprint)
    {
        await _listenerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (plan == _plan || _agent is null) return;
            if (plan.Tls) EnsureTls(snapshot, boundThumbprint);
            await _agent.SetListenersAsync(plan.Tcp ? _tcpPort : null, plan.Tls ? _tlsPort : null, CancellationToken.None).ConfigureAwait(false);
            _plan = plan;
            ServerEvents.ListenersChanged(_logger, plan.Mode, _agent.TcpPort ?? 0, _agent.TlsPort ?? 0);
        }
        catch (Exception e) when (e is SocketException or InvalidDataException or CertificateStoreException or System.Security.Cryptography.CryptographicException)
        {
            ServerEvents.CertificateReloadFailed(_logger, "listeners unchanged: " + (e is SocketException se ? DescribeBindFailure(se) : e.Message));
        }
        finally
        {
            _listenerGate.Release();
        }
    }

    /// <summary>
    /// Housekeeping once a minute: certificates are re-read; every fifth minute FQDN gateways are re-resolved so DNS
    /// changes reach the trusted list (ADM-1). Pending voice messages are the spool's own (SmtpDelivery starts it).
    /// </summary>
    private async Task HousekeepingAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        long minutes = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                // Certificates imported or trusted without a configuration change are picked up here.
                _tls?.Update(_monitor!.Current, _monitor.Current.FindUmServer(options.ServerName)?.CertificateThumbprint);
                if (++minutes % 5 == 0) await _peers!.RebuildAsync(_monitor!.Current, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            _logger.LogError(2012, e, "Housekeeping stopped: certificate and gateway address changes are picked up at the next start");
        }
    }

    /// <summary>What a peer may hold of this server (deadlines, per-address cap and rate), from its UmServer object.</summary>
    private static SipConnectionLimits ConnectionLimitsOf(UmServer? server) => server is null ? new() : new()
    {
        TlsHandshakeTimeout = server.TlsHandshakeTimeout,
        MessageTimeout = server.SipMessageTimeout,
        MaxConnectionsPerAddress = server.MaxConnectionsPerAddress,
        ConnectionRatePerAddress = server.ConnectionRatePerAddress,
    };

    private void WarnTlsFromAnyAddress(UmServer? server, ListenerPlan plan)
    {
        if (server is { AllowTlsFromAnyAddress: true } && plan.Tls) CallEvents.TlsFromAnyAddress(_logger, server.Name);
    }

    private void LogConfiguration(ConfigurationSnapshot c) =>
        ServerEvents.ConfigurationReloaded(_logger, c.Version, c.IpGateways.Count, _peers!.Count, c.DialPlans.Count, c.Mailboxes.Count);

    private string DescribeBindFailure(SocketException e) =>
        $"cannot listen on SIP port {(_plan?.Tls == true ? $"TLS {_tlsPort}" : "")} {(_plan?.Tcp != false ? $"TCP {_tcpPort}" : "")} at {options.ListenAddress}: {e.Message}. " +
        "Choose other ports with --sip-tcp-port / --sip-tls-port or stop the process that holds them.";

    /// <summary>The control channel's commands (`openum status`, `openum calls list`).</summary>
    private Control.ControlResponse Answer(string command) => command switch
    {
        Control.ControlProtocol.Status => new() { Status = Status() },
        Control.ControlProtocol.Calls => new() { Calls = _calls?.Calls.Snapshot() ?? [] },
        _ => new() { Error = $"unknown command '{command}' (this server knows {Control.ControlProtocol.Status} and {Control.ControlProtocol.Calls})" },
    };

    private Control.ServerStatus Status()
    {
        var now = time.GetUtcNow();
        var config = _monitor!.Current;
        var outbox = _delivery!.Outbox.List();
        var oldest = outbox.Where(e => e.Folder == OpenUM.Delivery.Smtp.OutboxFolder.Queued).Select(e => (DateTimeOffset?)e.Item.QueuedAt).Min();
        return new Control.ServerStatus
        {
            Version = typeof(UmService).Assembly.GetName().Version?.ToString(3) ?? "",
            ServerName = options.ServerName,
            ProcessId = Environment.ProcessId,
            StartedAt = _startedAt,
            Uptime = now - _startedAt,
            Mode = _plan!.Mode,
            ListenAddress = options.ListenAddress.ToString(),
            SipTcpPort = _agent?.TcpPort,
            SipTlsPort = _agent?.TlsPort,
            SipUdpPort = options.SipUdpPort,
            RtpPorts = $"{options.RtpFirstPort}-{options.RtpLastPort}",
            MetricsListen = options.Metrics?.EndPoint.ToString(),
            MetricsTls = options.Metrics?.Tls ?? false,
            AdminApiListen = AdminApiEndPoint?.ToString() ?? options.AdminApi?.ToString(),
            Certificate = _tls?.Current.Details is { } cert
                ? new Control.CertificateStatus(cert.Subject, cert.Thumbprint, cert.IsSelfSigned, cert.NotAfter, (int)Math.Floor((cert.NotAfter - now).TotalDays))
                : null,
            ConfigurationVersion = config.Version,
            ConfigurationStore = store is OpenUM.Directory.Postgres.PostgresConfigurationStore shared
                ? "PostgreSQL " + shared.Location.Display : "SQLite " + data.ConfigDatabase,
            ActiveCalls = _calls?.Calls.Count ?? 0,
            MaxCallsAllowed = config.FindUmServer(options.ServerName)?.MaxCallsAllowed ?? 100,
            SpoolPending = _delivery.Spool.PendingCount,
            OutboxQueued = outbox.Count(e => e.Folder == OpenUM.Delivery.Smtp.OutboxFolder.Queued),
            OutboxDead = outbox.Count(e => e.Folder == OpenUM.Delivery.Smtp.OutboxFolder.Dead),
            OutboxOldestQueuedAt = oldest,
            LastErrors = recent.Snapshot(),
            Mwi = _mwi?.Statistics is { } m ? new Control.MwiStatus(m.Changes, m.Recounts, m.Sent, m.Failed, m.Subscriptions, m.Suspended) : null,
        };
    }

    // What the metrics endpoint (Metrics.MetricsService) asks of the service.
    /// <summary>Whether the SIP listeners are bound (GET /health).</summary>
    public bool Listening => _agent is { } agent && (agent.TcpPort ?? agent.TlsPort) is not null;

    /// <summary>Where the admin API listens once bound (the port chosen when 0 was asked for); set by the API's host.</summary>
    public System.Net.IPEndPoint? AdminApiEndPoint { get; set; }

    /// <summary>The TLS side in use (certificate and trust list), as for SIP over TLS: HTTPS of the admin API.</summary>
    public TlsContext CurrentTls() => SmtpTls();

    /// <summary>The certificate the server presents, selected or generated as for SIP over TLS (HTTPS of the metrics endpoint).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 ServerCertificate() => SmtpTls().ServerCertificate;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken ct)
    {
        if (_calls is { } calls)
        {
            int active = calls.ActiveCalls;
            systemd.Stopping($"ending {active} active calls");
            ServerEvents.Stopping(_logger, active, (int)CallController.StopLimit.TotalSeconds);
        }
        await DisposeAsync().ConfigureAwait(false);
        if (ExitCode == 0) ServerEvents.Stopped(_logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_control is not null) { await _control.DisposeAsync().ConfigureAwait(false); _control = null; }
        if (_housekeeping is not null) { await _housekeeping.CancelAsync().ConfigureAwait(false); }
        if (_housekeepingLoop is not null) await _housekeepingLoop.ConfigureAwait(false);
        _housekeeping?.Dispose(); _housekeeping = null; _housekeepingLoop = null;
        if (_storage is not null) { await _storage.DisposeAsync().ConfigureAwait(false); _storage = null; }
        if (_mwi is not null) { await _mwi.DisposeAsync().ConfigureAwait(false); _mwi = null; }
        if (_calls is not null)
        {
            await _calls.DisposeAsync().ConfigureAwait(false);
            if (_calls.ActiveCalls > 0) ServerEvents.CallsOutlivedStop(_logger, _calls.ActiveCalls, (int)CallController.StopLimit.TotalSeconds);
            _calls = null;
        }
        if (_delivery is not null) { await _delivery.DisposeAsync().ConfigureAwait(false); _delivery = null; }
        if (_agent is not null) { await _agent.DisposeAsync().ConfigureAwait(false); _agent = null; }
        if (_ports is not null) { await _ports.DisposeAsync().ConfigureAwait(false); _ports = null; }
        if (_clock is not null) { await _clock.DisposeAsync().ConfigureAwait(false); _clock = null; }
        _tls?.Dispose(); _tls = null;
        if (_feed is not null) { await _feed.DisposeAsync().ConfigureAwait(false); _feed = null; }
        (_monitor as IDisposable)?.Dispose(); _monitor = null;
        systemd.Dispose();
    }
}
