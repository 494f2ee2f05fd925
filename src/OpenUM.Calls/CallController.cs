using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Session;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls;

/// <summary>Where the call layer finds the server's own settings and files.</summary>
/// <param name="ServerName">The UmServer object this server is.</param>
/// <param name="DataDirectory">The data directory (greetings, maildir).</param>
/// <param name="ServerFqdn">This server's own name (loopback test calls over TLS).</param>
public sealed record CallControllerOptions(string ServerName, string DataDirectory,
    string? ServerFqdn = null);

/// <summary>
/// Call control: admission of connections (trusted gateways), the per-call decisions (server limits,
/// hunt group and dial plan, security mode, mailbox) and the voicemail handler for admitted calls.
/// </summary>
public sealed class CallController : IAsyncDisposable
{
    private readonly Func<ConfigurationSnapshot> _config;
    private readonly TrustedPeers _peers;
    private readonly RtpPortRange _ports;
    private readonly MediaClock _clock;
    private readonly TimerWheel _timers;
    private readonly IVoiceMessageSpool _spool;
    private readonly PromptLibrary _prompts;
    private readonly CallControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogThrottle _rejectThrottle;
    private readonly StorageRefusalLog _storageRefusals;
    private readonly ConcurrentDictionary<object, Task> _calls = new();
    private readonly CancellationTokenSource _shutdown = new();
    private const int DefaultMaxCallsAllowed = 100; // UmServer.MaxCallsAllowed when no server object exists yet
    private int _active;

    /// <summary>
    /// Creates the controller; <paramref name="config"/> returns the current configuration snapshot. Recordings are
    /// handed to <paramref name="spool"/>, which owns their delivery and its retries.
    /// </summary>
    public CallController(Func<ConfigurationSnapshot> config, TrustedPeers peers, RtpPortRange ports, MediaClock clock,
        TimerWheel timers, IVoiceMessageSpool spool, PromptLibrary prompts, CallControllerOptions options, TimeProvider time, ILogger logger)
    {
        (_config, _peers, _ports, _clock, _timers, _spool, _prompts, _options, _time, _logger) =
            (config, peers, ports, clock, timers, spool, prompts, options, time, logger);
        _rejectThrottle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        _storageRefusals = new StorageRefusalLog(time, logger);
        Calls = new ActiveCalls(time);
    }

    /// <summary>The calls in progress, with their gateway, dial plan, extension, state and media (Get-UMActiveCalls).</summary>
    public ActiveCalls Calls { get; }

    /// <summary>PIN checks and outdialing for calls to a dial plan's access number (CALL-2); without them such calls reach voicemail routing.</summary>
    public SubscriberAccessServices? SubscriberAccess { get; set; }

    /// <summary>Whether the data directory can take what a new call leaves; without it every call is taken.</summary>
    public IStorageGate? Storage { get; set; }

    /// <summary>Calls in progress.</summary>
    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>
    /// ADM-2 before anything is built for a peer, and on TLS before any handshake byte: on TCP/UDP the source must
    /// be a configured gateway's address; on TLS an address of a gateway of a secured dial plan (or this server's
    /// own), or anyone when the server allows TLS from any address (then in the strangers' pool until the
    /// certificate names a gateway).
    /// </summary>
    public SipAddressAdmission AdmitAddress(IPAddress address, SipTransportKind kind)
    {
        if (kind != SipTransportKind.Tls) return _peers.Find(address) is not null ? SipAddressAdmission.Trusted : SipAddressAdmission.Refused;
        if (_peers.MayStartTls(address)) return SipAddressAdmission.Trusted;
        return _config().FindUmServer(_options.ServerName)?.AllowTlsFromAnyAddress == true
            ? SipAddressAdmission.Stranger : SipAddressAdmission.Refused;
    }

    /// <summary>A source refused by <see cref="AdmitAddress"/>: 1021, rate-limited per address and globally.</summary>
    public void OnAddressRefused(IPEndPoint remote, SipTransportKind kind)
    {
        CallMetrics.Refusal(kind == SipTransportKind.Tls ? RefusalReason.UnknownTlsAddress : RefusalReason.UnknownAddress);
        LogRejected(remote, kind == SipTransportKind.Tls
            ? "no gateway of a secured dial plan has this address, so no TLS handshake was started (openum server set --allow-tls-from-any-address true admits any address)"
            : "not a configured IP gateway");
    }

    /// <summary>
    /// ADM-1/ADM-2: a new connection or datagram is admitted only from a configured gateway: by source
    /// address on TCP/UDP, by the name in its verified certificate on TLS (the handshake has already
    /// checked chain, validity, EKU and revocation).
    /// </summary>
    public bool Admit(SipConnectionInfo connection)
    {
        if (FindGateway(connection, _config()) is not null) return true;
        CallMetrics.Refusal(connection.Transport == SipTransportKind.Tls ? RefusalReason.UnknownCertificateName : RefusalReason.UnknownAddress);
        LogRejected(connection.Remote, connection.Transport == SipTransportKind.Tls
            ? "its certificate names no configured IP gateway" : "not a configured IP gateway");
        return false;
    }

    /// <summary>The gateway an admitted connection belongs to in the current configuration (by address, or by certificate name on TLS), or null.</summary>
    public IpGateway? GatewayOf(SipConnectionInfo connection) => FindGateway(connection, _config());

    private IpGateway? FindGateway(SipConnectionInfo connection, ConfigurationSnapshot config)
    {
        if (connection.Transport != SipTransportKind.Tls)
            return _peers.Find(connection.Remote.Address) is { } peer ? config.FindGateway(peer.Name) : null;
        // The handshake's certificate check already decided which name the certificate was accepted for (OpenUM.Security's
        // rule); the current configuration says whether that name is still a gateway. The server's own name is a
        // trusted secure peer, so `test-connectivity --secured true` can loop back.
        if (connection.PeerIdentity is not { } name) return null;
        return config.IpGateways.FirstOrDefault(g => SameName(g.Address, name))
            ?? (_options.ServerFqdn is { } self && SameName(self, name) ? new IpGateway { Name = SelfGateway, Address = self } : null);
    }

    private static bool SameName(string a, string b) => string.Equals(a.TrimEnd('.'), b.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private const string SelfGateway = "(this server)";

    private static IPEndPoint Unmapped(IPEndPoint remote) =>
        remote.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(remote.Address.MapToIPv4(), remote.Port) : remote;

    /// <summary>Logs a refused call or connection (1021), rate-limited per remote address.</summary>
    public void LogRejected(IPEndPoint remote, string reason)
    {
        string address = Unmapped(remote).Address.ToString();
        if (_rejectThrottle.ShouldLog(address, out int suppressed))
            CallEvents.CallRejected(_logger, address, remote.Port, reason, LogThrottle.Describe(suppressed));
    }

    /// <summary>Decides on a new INVITE at once (reject or accept) and runs the accepted call in the background.</summary>
    public ValueTask OnIncomingCall(IncomingCall call)
    {
        try
        {
            Decide(call);
        }
        catch (Exception e)
        {
            CallEvents.CallFailed(_logger, call.Request.CallId ?? "", e.Message);
            CallMetrics.CallFailed();
            call.Reject(500, "Server Internal Error");
        }
        return ValueTask.CompletedTask;
    }

    private void Decide(IncomingCall call)
    {
        var config = _config();
        var remote = call.Connection.Remote;
        // The peer list says who connected; the current configuration says what that gateway may do now
        // (the list is rebuilt asynchronously after a change, the snapshot is already current).
        var gateway = FindGateway(call.Connection, config);
        if (gateway is null)
        {
            Refuse(call, RefusalReason.UnknownPeer, 403, "Forbidden", "not a configured IP gateway", toldToPeer: false);
            return;
        }
        if (gateway.Status != UmStatus.Enabled)
        {
            Refuse(call, RefusalReason.GatewayDisabled, 503, "Service Unavailable", $"gateway {gateway.Name} is {gateway.Status}", retryAfter: true);
            return;
        }
        var server = config.FindUmServer(_options.ServerName);
        if (server is not null && server.Status != UmStatus.Enabled)
        {
            Refuse(call, RefusalReason.ServerDisabled, 503, "Service Unavailable", $"UM server {server.Name} is {server.Status}", retryAfter: true);
            return;
        }
        var dialPlan = gateway.Name == SelfGateway ? RouteSelf(config, call.Request) : Route(config, gateway, call.Request);
        if (dialPlan is null)
        {
            Refuse(call, RefusalReason.NoHuntGroup, 404, "Not Found", $"gateway {gateway.Name} has no hunt group for this call");
            return;
        }
        // SEC-2: a SipSecured or Secured dial plan takes calls only over mutual TLS, an Unsecured one only without.
        if (dialPlan.IsSecured != (call.Connection.Transport == SipTransportKind.Tls))
        {
            Refuse(call, RefusalReason.WrongTransport, 403, "Forbidden", $"dial plan {dialPlan.Name} is {dialPlan.VoipSecurity} and the call came over {call.Connection.Transport}");
            return;
        }
        string? called = CalledParty.Find(call.Request)?.Number;
        var subscriber = SubscriberAccess is { } access && SubscriberAccessCall.IsAccessNumber(dialPlan, called)
            ? access : null;
        // An auto attendant's pilot number: its callers leave no message, and they dial out only through the engine.
        var attendant = subscriber is null && SubscriberAccess is not null ? config.FindAutoAttendantByPilot(dialPlan.Name, called) : null;
        if (attendant is { Status: not UmStatus.Enabled })
        {
            AutoAttendants.AttendantEvents.Disabled(_logger, call.Request.CallId ?? "", called ?? "", attendant.Name);
            Refuse(call, RefusalReason.AutoAttendantDisabled, 480, "Temporarily Unavailable", $"auto attendant {attendant.Name} is {attendant.Status}");
            return;
        }
        // Refuse before loss: a gateway told 503 routes the caller elsewhere; a call answered without room for its
        // message loses it. Subscribers need no room to listen, but a read-only disk cannot count their PIN failures.
        var storage = Storage?.Check(ActiveCalls) ?? StorageVerdict.Available;
        bool announce = false;
        if (!storage.Writable || (subscriber is null && attendant is null && !storage.CanRecord))
        {
            announce = subscriber is null && attendant is null && dialPlan.StorageFullAction == StorageFullAction.Announce;
            _storageRefusals.Log(call.Connection.Remote, announce ? "answered with the storage-full announcement" : "503, Retry-After "
                + StorageVerdict.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), storage.Reason);
            if (!announce)
            {
                CallMetrics.CallRefused(RefusalReason.Storage);
                call.Reject(503, "Service Unavailable", [new SipHeader("Retry-After",
                    StorageVerdict.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
                return;
            }
        }
        int max = server?.MaxCallsAllowed ?? DefaultMaxCallsAllowed;
        if (Interlocked.Increment(ref _active) > max)
        {
            Interlocked.Decrement(ref _active);
            Refuse(call, RefusalReason.MaxCalls, 503, "Service Unavailable", $"MaxCallsAllowed ({max}) reached", retryAfter: true);
            return;
        }
        var services = new CallServices(_ports, _clock, _timers, _spool, _prompts, _options, _time, _logger);
        // Listed from admission on, so the list never misses a call the event log has already called answered (2002).
        string extension = subscriber is not null ? SubscriberAccessCall.SubscriberExtension
            : attendant is not null ? AutoAttendants.AutoAttendantCall.Label(attendant)
            : CalledParty.FindMailbox(call.Request, config, dialPlan).Extension ?? "";
        var entry = Calls.Add(call.Request.CallId ?? "", gateway.Name, dialPlan.Name, extension,
            AnsweredCall.CallerId(call.Request), call.Connection.Transport.ToString(), Unmapped(call.Connection.Remote).ToString());
        if (attendant is not null)
            Start(call, entry, () => AutoAttendants.AutoAttendantCall.TryAnswer(call, config, gateway, dialPlan, attendant, services,
                SubscriberAccess!.Outdialing, entry, _shutdown.Token), a => a.RunAsync);
        else if (subscriber is not null)
            Start(call, entry, () => SubscriberAccessCall.TryAnswer(call, config, gateway, dialPlan, services, subscriber, entry, _shutdown.Token), a => a.RunAsync);
        else if (announce)
            Start(call, entry, () => StorageFullCall.TryAnswer(call, config, gateway, dialPlan, services, storage.Reason, entry, _shutdown.Token), a => a.RunAsync);
        else
            Start(call, entry, () => VoicemailCall.TryAnswer(call, config, gateway, dialPlan, services, SubscriberAccess, entry, _shutdown.Token), v => v.RunAsync);
    }

    /// <summary>Answers with <paramref name="answer"/> (null: it refused the call itself) and runs the call it made.</summary>
    private void Start<T>(IncomingCall call, ActiveCall entry, Func<T?> answer, Func<T, Func<Task>> run) where T : class
    {
        T? started = null;
        try
        {
            started = answer();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // No free RTP port: a temporary overload, which gateways answer by trying another server.
            Refuse(call, RefusalReason.NoRtpPort, 503, "Service Unavailable", "no RTP port free: " + e.Message, retryAfter: true);
        }
        finally
        {
            if (started is null)
            {
                Interlocked.Decrement(ref _active);
                Calls.Remove(entry);
            }
        }
        if (started is null) return;
        // Listed before it runs (on this thread, no hand-off), so a call that ends at once is not left behind in the
        // list: its task replaces the placeholder only while the call has not removed it yet.
        _calls[started] = Starting;
        _calls.TryUpdate(started, RunAsync(started, entry, run(started)), Starting);
    }

    // A completed task of its own: the list's placeholder for a call being started (Task.WhenAll passes over it).
    private static readonly Task Starting = Task.FromResult(true);

    private async Task RunAsync(object call, ActiveCall entry, Func<Task> run)
    {
        try { await run().ConfigureAwait(false); }
        finally
        {
            Interlocked.Decrement(ref _active);
            Calls.Remove(entry);
            _calls.TryRemove(call, out _);
        }
    }

    /// <summary>The dial plan of the hunt group whose pilot matches the Request-URI user, else the gateway's catch-all.</summary>
    private static DialPlan? Route(ConfigurationSnapshot config, IpGateway gateway, SipMessage invite)
    {
        string? user = invite.RequestUri?.User;
        HuntGroup? catchAll = null;
        foreach (var group in config.HuntGroups)
        {
            if (!string.Equals(group.IpGateway, gateway.Name, StringComparison.OrdinalIgnoreCase)) continue;
            if (group.PilotIdentifier is null) catchAll ??= group;
            else if (user is not null && string.Equals(group.PilotIdentifier, user, StringComparison.OrdinalIgnoreCase))
                return config.FindDialPlan(group.DialPlan);
        }
        return catchAll is null ? null : config.FindDialPlan(catchAll.DialPlan);
    }

    /// <summary>A loopback test call from this server itself: the dial plan of the called mailbox, secured ones first.</summary>
    private static DialPlan? RouteSelf(ConfigurationSnapshot config, SipMessage invite)
    {
        string? user = invite.RequestUri?.User;
        var plans = config.DialPlans.OrderByDescending(p => p.IsSecured).ToList();
        return plans.FirstOrDefault(p => user is not null && config.FindMailbox(p.Name, user) is not null) ?? plans.FirstOrDefault();
    }

    // A configured gateway (and test-connectivity) is told why, in a Warning (RFC 3261 §20.43), as the SRTP refusals do;
    // a stranger learns nothing beyond the status.
    private void Refuse(IncomingCall call, RefusalReason why, int status, string phrase, string reason, bool retryAfter = false, bool toldToPeer = true)
    {
        CallMetrics.CallRefused(why);
        LogRejected(call.Connection.Remote, reason);
        var headers = new List<SipHeader>(2);
        if (retryAfter) headers.Add(new SipHeader("Retry-After", "30"));
        if (toldToPeer) headers.Add(new SipHeader("Warning", $"399 openum \"{reason.Replace('"', '\'')}\""));
        call.Reject(status, phrase, headers.Count == 0 ? null : headers);
    }

    /// <summary>
    /// How long the stop waits for calls to end (their recordings finished and handed to delivery, BYE sent): within
    /// the host's 20 s shutdown and a systemd unit's stop timeout.
    /// </summary>
    public static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    /// <summary>Ends every call in progress (BYE) and waits for them, at most <see cref="StopLimit"/>, as the service stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_calls.Values).WaitAsync(StopLimit).ConfigureAwait(false); }
        catch (TimeoutException) { }
        _shutdown.Dispose();
    }
}
