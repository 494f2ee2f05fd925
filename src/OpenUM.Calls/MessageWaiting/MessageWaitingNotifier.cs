using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.MessageWaiting;

/// <summary>
/// Message-waiting indication: follows the store's change feed and tells each mailbox's lamp its new and old voice
/// message counts — by unsolicited NOTIFY through the dial plan's gateways that allow it (as Exchange UM did) and by
/// NOTIFY in the message-summary subscriptions gateways made (RFC 3842 over RFC 6665). While the store is unavailable
/// nothing is said at all (a lamp keeps its state rather than hear "no messages" by mistake); when it answers again
/// every mailbox is counted and sent.
/// </summary>
/// <remarks>
/// Bounded: the queue holds each mailbox address at most once (changes of a queued mailbox coalesce), addresses are
/// only those of configured mailboxes, a mailbox is counted at most once per <see cref="MessageWaitingOptions.RecountInterval"/>,
/// and a fixed number of workers counts and sends.
/// </remarks>
public sealed partial class MessageWaitingNotifier : IAsyncDisposable
{
    private readonly Func<ConfigurationSnapshot> _config;
    private readonly IVoiceMessageStore _store;
    private readonly IMailboxChangeFeed _feed;
    private readonly Func<OutgoingRequest, CancellationToken, Task<SipRequestResult>> _send;
    private readonly Func<SipConnectionInfo, IpGateway?> _gatewayOf;
    private readonly MessageWaitingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly LogThrottle _failureLog;
    private readonly MwiSubscriptions _subscriptions;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new() { SingleWriter = false, SingleReader = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private readonly HashSet<string> _pending = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _retrying = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _running = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _rerun = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _forced = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _lastRun = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, MessageCounts> _lastSent = new(StringComparer.OrdinalIgnoreCase);
    private HashSet<string> _watched = new(StringComparer.OrdinalIgnoreCase);
    private Task[] _workers = [];
    private bool _suspended;
    private bool _couldCount = true;
    private long _changes, _recounts, _sent, _failed;

    /// <summary>
    /// Creates the notifier: <paramref name="config"/> gives the current configuration, <paramref name="store"/> counts,
    /// <paramref name="feed"/> says when to, <paramref name="send"/> sends an out-of-dialog request (the server's
    /// SipUserAgent.SendRequestAsync), <paramref name="gatewayOf"/> names the gateway of an admitted connection.
    /// </summary>
    public MessageWaitingNotifier(Func<ConfigurationSnapshot> config, IVoiceMessageStore store, IMailboxChangeFeed feed,
        Func<OutgoingRequest, CancellationToken, Task<SipRequestResult>> send, Func<SipConnectionInfo, IpGateway?> gatewayOf,
        MessageWaitingOptions options, TimeProvider time, ILogger logger)
    {
        (_config, _store, _feed, _send, _gatewayOf, _options, _time, _logger) = (config, store, feed, send, gatewayOf, options, time, logger);
        _resolve = options.Resolve ?? Dns.GetHostAddressesAsync;
        _failureLog = new LogThrottle(time, TimeSpan.FromMinutes(1));
        _subscriptions = new MwiSubscriptions(Math.Max(1, options.SubscriptionsPerMailbox));
    }

    /// <summary>The counters now.</summary>
    public MwiStatistics Statistics
    {
        get
        {
            lock (_sync)
                return new(Interlocked.Read(ref _changes), Interlocked.Read(ref _recounts), Interlocked.Read(ref _sent),
                    Interlocked.Read(ref _failed), _subscriptions.Count, _suspended);
        }
    }

    /// <summary>Starts following the feed; every mailbox with a lamp to light is counted once (lamps are right after a restart).</summary>
    public void Start()
    {
        _feed.MailboxChanged += OnMailboxChanged;
        _feed.StateChanged += OnStateChanged;
        _workers = Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(_ => Task.Run(() => WorkAsync(_stop.Token))).ToArray();
        if (_feed.State == MessageStoreState.Unavailable) OnStateChanged(MessageStoreState.Unavailable);
        Follow(_config(), everyone: true);
    }

    /// <summary>The configuration changed: watch the mailboxes that now have a lamp, and light those that just got one.</summary>
    public void OnConfigurationChanged(ConfigurationSnapshot config) => Follow(config, everyone: false);

    private bool CanCount => _options.CanCount?.Invoke() ?? true;

    private void Follow(ConfigurationSnapshot config, bool everyone)
    {
        EndDisallowedSubscriptions(config);
        // A store that starts to see the mailboxes (an IMAP store configured) has every lamp to tell.
        bool canCount = CanCount;
        lock (_sync)
        {
            everyone |= canCount && !_couldCount;
            _couldCount = canCount;
        }
        var wanted = new HashSet<string>(config.Mailboxes.Where(m => MwiTargets.GatewaysFor(config, m).Count > 0).Select(m => m.EmailAddress),
            StringComparer.OrdinalIgnoreCase);
        List<string> added, removed;
        lock (_sync)
        {
            added = wanted.Where(a => everyone || !_watched.Contains(a)).ToList();
            removed = _watched.Where(a => !wanted.Contains(a)).ToList();
            _watched = wanted;
            // A lamp that has no gateway any more is told again in full when it gets one back.
            foreach (var gone in _lastSent.Keys.Where(a => !wanted.Contains(a)).ToList()) _lastSent.Remove(gone);
            foreach (var gone in _lastRun.Keys.Where(a => config.FindMailboxByEmail(a) is null).ToList()) _lastRun.Remove(gone);
        }
        foreach (var address in removed)
            if (!_subscriptions.Has(address)) _feed.Unwatch(address);
        foreach (var address in added)
        {
            _feed.Watch(address);
            MarkDirty(address, force: false);
        }
    }

    private void OnMailboxChanged(string address)
    {
        if (address is null || _config().FindMailboxByEmail(address) is null) return;
        MarkDirty(address, force: false);
    }

    private void OnStateChanged(MessageStoreState state)
    {
        string[] known;
        lock (_sync)
        {
            if (state == MessageStoreState.Unavailable)
            {
                if (_suspended) return;
                _suspended = true;
                known = [];
            }
            else
            {
                _suspended = false;
                known = [.. _watched.Union(_subscriptions.Addresses(), StringComparer.OrdinalIgnoreCase)];
            }
        }
        if (state == MessageStoreState.Unavailable)
        {
            int lamps;
            lock (_sync) lamps = _watched.Union(_subscriptions.Addresses(), StringComparer.OrdinalIgnoreCase).Count();
            MwiEvents.Suspended(_logger, lamps);
            return;
        }
        foreach (var address in known) MarkDirty(address, force: true);
    }

    /// <summary>Queues a recount of <paramref name="address"/> (once, however often asked), not before its interval is over.</summary>
    private void MarkDirty(string address, bool force)
    {
        if (_stop.IsCancellationRequested) return;
        long now = _time.GetTimestamp();
        TimeSpan wait;
        lock (_sync)
        {
            if (force) _forced.Add(address);
            if (!_pending.Add(address)) return;
            wait = TimeSpan.Zero;
            if (_lastRun.TryGetValue(address, out long last))
            {
                var sinceLast = _time.GetElapsedTime(last, now);
                if (_options.RecountInterval - sinceLast > wait) wait = _options.RecountInterval - sinceLast;
            }
        }
        if (wait <= TimeSpan.Zero) _queue.Writer.TryWrite(address);
        else _ = QueueLaterAsync(address, wait);
    }

    // The gateways refused or were unreachable: try again later, without holding the mailbox's place in the queue, so a
    // change meanwhile (a deposit, a subscriber's refresh) is still handled at once. One retry waits per mailbox.
    private void RetryLater(string address)
    {
        lock (_sync)
        {
            if (!_retrying.Add(address)) return;
        }
        _ = RetryAfterAsync(address);
    }

    private async Task RetryAfterAsync(string address)
    {
        try
        {
            await Task.Delay(_options.RetryAfterFailure, _time, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            lock (_sync) _retrying.Remove(address);
        }
        MarkDirty(address, force: false);
    }

    private async Task QueueLaterAsync(string address, TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, _time, _stop.Token).ConfigureAwait(false);
            _queue.Writer.TryWrite(address);
        }
        catch (OperationCanceledException) { }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var address in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                bool forced;
                lock (_sync)
                {
                    _pending.Remove(address);
                    if (!_running.Add(address))
                    {
                        // Another worker is on it: one more pass once it is done, never two at a time (order of NOTIFYs).
                        _rerun.Add(address);
                        continue;
                    }
                    _lastRun[address] = _time.GetTimestamp();
                    forced = _forced.Remove(address);
                }
                bool again;
                try
                {
                    Interlocked.Increment(ref _changes);
                    await ProcessAsync(address, forced, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                catch (Exception e)
                {
                    _logger.LogDebug(e, "Message-waiting state of {Address} not updated", address);
                }
                finally
                {
                    lock (_sync)
                    {
                        _running.Remove(address);
                        again = _rerun.Remove(address);
                    }
                }
                if (again) MarkDirty(address, force: false);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task ProcessAsync(string address, bool forced, CancellationToken ct)
    {
        lock (_sync)
        {
            // Held: the Available notice queues every mailbox again.
            if (_suspended) return;
        }
        // Messages that leave by SMTP only: the store's "0" would be a lie.
        if (!CanCount) return;
        var config = _config();
        if (config.FindMailboxByEmail(address) is not { } mailbox || config.FindDialPlan(mailbox.DialPlan) is not { } plan) return;
        var gateways = MwiTargets.GatewaysFor(config, mailbox);
        var subscriptions = _subscriptions.For(address);
        if (gateways.Count == 0 && subscriptions.Length == 0) return;
        MessageCounts counts;
        try
        {
            counts = await _store.CountAsync(address, ct).ConfigureAwait(false);
        }
        catch (MessageStoreUnavailableException)
        {
            // Nothing is said about this mailbox (the store logs why: 2036/2038); a later change or the store's return recounts it.
            return;
        }
        Interlocked.Increment(ref _recounts);
        var body = MwiTargets.Body(counts, MwiTargets.AccountOf(mailbox, plan, _options.ServerFqdn));
        bool due;
        lock (_sync) due = forced || !_lastSent.TryGetValue(address, out var last) || last != counts;
        if (gateways.Count > 0 && due)
        {
            if (await SendUnsolicitedAsync(mailbox, plan, gateways, body, ct).ConfigureAwait(false))
            {
                lock (_sync) _lastSent[address] = counts;
            }
            else
            {
                lock (_sync) _lastSent.Remove(address);
                RetryLater(address);
            }
        }
        foreach (var entry in subscriptions)
        {
            if (entry.Notified == counts) continue;
            entry.Notified = counts;
            // A NOTIFY the subscriber refuses or never answers ends the subscription (the agent's rule), which removes it here.
            await entry.Subscription.NotifyAsync(body, Sip.Message.MessageSummary.ContentType, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The first gateway that takes the NOTIFY, trying the next on 408, 5xx, 6xx, transport or TLS failure. True when the state was delivered or refused for good.</summary>
    private async Task<bool> SendUnsolicitedAsync(Mailbox mailbox, DialPlan plan, IReadOnlyList<IpGateway> gateways, byte[] body, CancellationToken ct)
    {
        string? address = MwiTargets.AddressOf(mailbox, plan);
        if (address is null)
        {
            LogFailure(mailbox, gateways[0], "the mailbox has no SIP address on a SIP URI dial plan (openum mailbox set --sip-uri)");
            Interlocked.Increment(ref _failed);
            return true;
        }
        var failures = new List<(IpGateway Gateway, string Reason)>(gateways.Count);
        foreach (var gateway in gateways)
        {
            var (target, unresolved) = await MwiTargets.ResolveAsync(gateway, plan, _resolve, ct).ConfigureAwait(false);
            if (target is null)
            {
                failures.Add((gateway, unresolved!));
                continue;
            }
            SipRequestResult result;
            try
            {
                result = await _send(MwiTargets.Notify(target, gateway, plan, address, _options.ServerFqdn, body), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
            {
                failures.Add((gateway, e.Message));
                continue;
            }
            if (result.Succeeded)
            {
                Interlocked.Increment(ref _sent);
                return true;
            }
            string reason = result.Failure switch
            {
                SipRequestFailure.None => $"{result.StatusCode} {result.ReasonPhrase}",
                SipRequestFailure.Timeout => "no response (408, timeout)",
                SipRequestFailure.Tls => "TLS failed: " + (result.Error?.Message ?? "handshake refused"),
                _ => "connection failed: " + (result.Error?.Message ?? $"{result.StatusCode} {result.ReasonPhrase}"),
            };
            if (result.Failure == SipRequestFailure.None && result.StatusCode is >= 300 and < 500 and not 408)
            {
                // The gateway answered and does not want it for this user; another gateway of the plan would say the same.
                LogFailure(mailbox, gateway, reason);
                Interlocked.Increment(ref _failed);
                return true;
            }
            failures.Add((gateway, reason));
        }
        foreach (var (gateway, reason) in failures) LogFailure(mailbox, gateway, reason);
        Interlocked.Increment(ref _failed);
        return false;
    }

    private void LogFailure(Mailbox mailbox, IpGateway gateway, string reason)
    {
        if (_failureLog.ShouldLog(gateway.Name, out int suppressed))
            MwiEvents.DeliveryFailed(_logger, mailbox.Extension, mailbox.DialPlan, gateway.Name, reason, LogThrottle.Describe(suppressed));
    }

    /// <summary>Stops following the feed and waits for the workers; subscriptions end with the user agent.</summary>
    public async ValueTask DisposeAsync()
    {
        _feed.MailboxChanged -= OnMailboxChanged;
        _feed.StateChanged -= OnStateChanged;
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_workers).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
