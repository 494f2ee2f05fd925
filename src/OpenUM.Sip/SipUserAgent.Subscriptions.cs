using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

// The notifier (RFC 6665 §4.2): new SUBSCRIBEs checked and handed to the handler, the subscription table and its
// caps, and every refusal counted and logged (2043, rate-limited per peer address).
public sealed partial class SipUserAgent
{
    private readonly ConcurrentDictionary<string, SipSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, int> _subscriptionsPerPeer = new(); // reserved or live, under _subscriptionSync
    private readonly Lock _subscriptionSync = new();
    private int _subscriptionsReserved;
    private readonly LogThrottle _subscribeLog;

    /// <summary>Subscriptions in the table now (as notifier).</summary>
    public int ActiveSubscriptions => _subscriptions.Count;

    // An out-of-dialog SUBSCRIBE: package, Contact, Expires and room checked here; the handler decides the rest.
    private void StartSubscribe(SipConnection connection, string key, SipMessage request)
    {
        var tx = (NonInviteServerTransaction)CreateServerTransaction(connection, key, request);
        var toTag = SipIds.NewTag();
        if (!CheckSubscribe(tx, connection, request, toTag, null, out var @event, out var granted)) return;
        var peer = PeerOf(connection);
        if (!TryReserve(peer, out var limit))
        {
            var retry = ((long)_options.Notifier!.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            RefuseSubscribe(tx, connection, request, 503, "Service Unavailable", [new SipHeader("Retry-After", retry)], toTag, null,
                limit + " subscription limit reached");
            return;
        }
        var incoming = new IncomingSubscribe(this, tx, connection, request, @event!, granted, peer);
        // The handler may look things up before answering; keep it off this connection's read loop.
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Agent.RunSubscribeHandlerAsync(s.Incoming),
            (Agent: this, Incoming: incoming), preferLocal: false);
    }

    private async Task RunSubscribeHandlerAsync(IncomingSubscribe incoming)
    {
        try
        {
            await _options.Notifier!.OnSubscribe(incoming).ConfigureAwait(false);
            if (!incoming.IsAnswered) incoming.Reject(500, "Server Internal Error");
        }
        catch (Exception ex)
        {
            SipLog.MessageHandlingFailed(_logger, ex, incoming.Connection.Id, incoming.Connection.Remote);
            incoming.Reject(500, "Server Internal Error");
        }
    }

    // RFC 6665 §8.2.1 Event, §4.2.1.1 Contact, Expires (400, 489, 423): true with the package and the duration to
    // grant, else the refusal was sent. `expected` is the subscription's Event for a refresh.
    internal bool CheckSubscribe(SipTransaction tx, SipConnection connection, SipMessage request, string? toTag, SipEventHeader? expected,
        out SipEventHeader? @event, out TimeSpan granted)
    {
        var notifier = _options.Notifier!;
        granted = TimeSpan.Zero;
        @event = SipEventHeader.Parse(request.Headers.Get("Event"));
        if (@event is null)
        {
            RefuseSubscribe(tx, connection, request, 400, "Missing Event Header", null, toTag, null, "no Event header");
            return false;
        }
        var served = expected is null ? notifier.EventPackages.Contains(@event.Package, StringComparer.OrdinalIgnoreCase) : expected.Matches(@event);
        if (!served)
        {
            RefuseSubscribe(tx, connection, request, 489, "Bad Event", [new SipHeader("Allow-Events", AllowEvents)], toTag, null,
                "event package not served");
            return false;
        }
        if (expected is null && request.Contact is null)
        {
            RefuseSubscribe(tx, connection, request, 400, "Missing Header: Contact", null, toTag, null, "no Contact");
            return false;
        }
        var expires = request.Headers.Get("Expires");
        long seconds;
        if (expires is null) seconds = (long)notifier.DefaultExpires.TotalSeconds;
        else if (!long.TryParse(expires.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
        {
            // delta-seconds beyond any integer still means "very long" (RFC 3261 §25.1): only non-digits are wrong.
            if (expires.Length == 0 || expires.AsSpan().Trim().ContainsAnyExceptInRange('0', '9'))
            {
                RefuseSubscribe(tx, connection, request, 400, "Bad Header: Expires", null, toTag, null, "unreadable Expires");
                return false;
            }
            seconds = long.MaxValue;
        }
        var minimum = (long)notifier.MinimumExpires.TotalSeconds;
        if (seconds != 0 && seconds < minimum)
        {
            RefuseSubscribe(tx, connection, request, 423, "Interval Too Brief",
                [new SipHeader("Min-Expires", minimum.ToString(CultureInfo.InvariantCulture))], toTag, null, "Expires below the minimum");
            return false;
        }
        granted = TimeSpan.FromSeconds(Math.Min(seconds, (long)notifier.MaximumExpires.TotalSeconds));
        return true;
    }

    // Sends a SUBSCRIBE's refusal; counts and logs it (2043, one line per peer address per minute with the count of
    // the others); gives back a reserved place in the table.
    internal void RefuseSubscribe(SipTransaction tx, SipConnection connection, SipMessage request, int status, string? reason,
        IEnumerable<SipHeader>? extraHeaders, string? toTag, IPAddress? reserved, string? why = null)
    {
        if (reserved is not null) Release(reserved);
        var response = CreateResponse(request, status, reason, toTag);
        if (extraHeaders is not null)
        {
            foreach (var h in extraHeaders) response.Headers.Add(h.Name, h.Value);
        }
        // Counted and logged before the answer leaves, so whoever reads the answer finds the refusal recorded.
        SipMetrics.SubscribeRefused(status);
        var remote = connection.Info.Remote;
        if (_subscribeLog.ShouldLog(remote.Address.ToString(), out var suppressed))
        {
            SipLog.SubscribeRefused(_logger, remote, request.Headers.Get("Event") is { } e && e.Length <= 64 ? e : "(unreadable)",
                status, response.ReasonPhrase, why ?? "refused by the notifier", LogThrottle.Describe(suppressed));
        }
        SendFinal(tx, response);
    }

    private string AllowEvents => string.Join(", ", _options.Notifier!.EventPackages);

    private static IPAddress PeerOf(SipConnection connection)
    {
        var address = connection.Info.Remote.Address;
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    // A place in the table for a SUBSCRIBE the handler is deciding on; kept by the subscription it becomes.
    private bool TryReserve(IPAddress peer, out string limit)
    {
        var notifier = _options.Notifier!;
        lock (_subscriptionSync)
        {
            _subscriptionsPerPeer.TryGetValue(peer, out var mine);
            if (_subscriptionsReserved >= notifier.MaxSubscriptions)
            {
                limit = "total";
                return false;
            }
            if (mine >= notifier.MaxSubscriptionsPerPeer)
            {
                limit = "per-peer";
                return false;
            }
            _subscriptionsReserved++;
            _subscriptionsPerPeer[peer] = mine + 1;
            limit = "";
            return true;
        }
    }

    private void Release(IPAddress peer)
    {
        lock (_subscriptionSync)
        {
            _subscriptionsReserved--;
            if (_subscriptionsPerPeer.TryGetValue(peer, out var mine))
            {
                if (mine <= 1) _subscriptionsPerPeer.Remove(peer);
                else _subscriptionsPerPeer[peer] = mine - 1;
            }
        }
    }

    internal void AddSubscription(SipSubscription subscription) => _subscriptions[subscription.Key] = subscription;

    internal void RemoveSubscription(SipSubscription subscription)
    {
        if (_subscriptions.TryRemove(new KeyValuePair<string, SipSubscription>(subscription.Key, subscription))) Release(subscription.Peer);
    }

    private SipSubscription? FindSubscription(string? callId, string? localTag, string? remoteTag) =>
        callId is not null && localTag is not null && _subscriptions.TryGetValue(DialogKey(callId, localTag, remoteTag), out var s) ? s : null;
}
