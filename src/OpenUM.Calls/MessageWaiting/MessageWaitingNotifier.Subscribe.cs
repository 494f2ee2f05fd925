using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.MessageWaiting;

// SUBSCRIBE to message-summary (RFC 3842): a gateway or PBX subscribing on behalf of a phone.
public sealed partial class MessageWaitingNotifier
{
    /// <summary>
    /// Decides on a SUBSCRIBE the agent admitted and checked (SipNotifierOptions.OnSubscribe): from a configured,
    /// enabled gateway, over TLS for a secured dial plan, for a mailbox of one of the gateway's dial plans (Request-URI
    /// user, To as fallback; the SIP address on SIP-URI plans), on a gateway that allows MWI. Accepted with the current
    /// counts, or pending (no body) while the store is unavailable: its state NOTIFY follows when the store is back.
    /// </summary>
    public async ValueTask OnSubscribeAsync(IncomingSubscribe subscribe)
    {
        ArgumentNullException.ThrowIfNull(subscribe);
        var config = _config();
        var gateway = _gatewayOf(subscribe.Connection);
        if (gateway is null)
        {
            subscribe.Reject(403, "Forbidden");
            return;
        }
        if (gateway.Status != UmStatus.Enabled)
        {
            Refuse(subscribe, 503, "Service Unavailable", $"gateway {gateway.Name} is {gateway.Status}", new SipHeader("Retry-After", "30"));
            return;
        }
        bool tls = subscribe.Connection.Transport == SipTransportKind.Tls;
        var (mailbox, plan) = FindMailbox(config, gateway, subscribe.Request, tls);
        if (mailbox is null || plan is null)
        {
            Refuse(subscribe, 404, "Not Found", $"no mailbox of the dial plans of gateway {gateway.Name} has this address");
            return;
        }
        if (plan.IsSecured != tls)
        {
            Refuse(subscribe, 403, "Forbidden", $"dial plan {plan.Name} is {plan.VoipSecurity} and the SUBSCRIBE came over {subscribe.Connection.Transport}");
            return;
        }
        if (!gateway.MessageWaitingIndicatorAllowed)
        {
            Refuse(subscribe, 403, "Forbidden", $"gateway {gateway.Name} does not carry message-waiting indication (openum gateway set {gateway.Name} --message-waiting-indicator-allowed true)");
            return;
        }
        if (!CanCount)
        {
            Refuse(subscribe, 403, "Forbidden", "voice messages leave by SMTP and no IMAP store reads them back, so their counts are unknown (openum server set --imap-host)");
            return;
        }
        string address = mailbox.EmailAddress;
        MessageCounts? counts = null;
        bool suspended;
        lock (_sync) suspended = _suspended;
        if (!suspended)
        {
            try
            {
                counts = await _store.CountAsync(address, _stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _recounts);
            }
            catch (MessageStoreUnavailableException) { }
        }
        var subscription = counts is { } known
            ? subscribe.Accept(MwiTargets.Body(known, MwiTargets.AccountOf(mailbox, plan, _options.ServerFqdn)), MessageSummary.ContentType)
            : subscribe.AcceptPending();
        var entry = new MwiSubscriptions.Entry(address, gateway.Name, subscription, counts);
        if (_subscriptions.Add(entry) is { } displaced)
            _ = displaced.Subscription.TerminateAsync("deactivated");
        _ = subscription.Terminated.ContinueWith(_ => Forget(entry), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _feed.Watch(address);
        // A change between the count and the table is not lost: one more (coalesced) recount.
        MarkDirty(address, force: false);
    }

    /// <summary>
    /// Ends the subscriptions the configuration no longer allows (RFC 6665 §4.2.2): the mailbox is gone (noresource), or
    /// its gateway is gone, disabled or no longer carries message-waiting indication (rejected).
    /// </summary>
    private void EndDisallowedSubscriptions(ConfigurationSnapshot config)
    {
        foreach (var entry in _subscriptions.All())
        {
            string? reason = config.FindMailboxByEmail(entry.Address) is null ? "noresource"
                : config.FindGateway(entry.Gateway) is { Status: UmStatus.Enabled, MessageWaitingIndicatorAllowed: true } ? null : "rejected";
            if (reason is null) continue;
            _subscriptions.Remove(entry);
            _ = entry.Subscription.TerminateAsync(reason);
        }
    }

    private void Forget(MwiSubscriptions.Entry entry)
    {
        _subscriptions.Remove(entry);
        bool watched;
        lock (_sync) watched = _watched.Contains(entry.Address);
        if (!watched && !_subscriptions.Has(entry.Address)) _feed.Unwatch(entry.Address);
    }

    // A configured gateway is told why (RFC 3261 §20.43 Warning), as refused calls are.
    private static void Refuse(IncomingSubscribe subscribe, int status, string phrase, string reason, SipHeader? extra = null)
    {
        var headers = new List<SipHeader>(2) { new("Warning", $"399 openum \"{reason.Replace('"', '\'')}\"") };
        if (extra is { } e) headers.Add(e);
        subscribe.Reject(status, phrase, headers);
    }

    /// <summary>The mailbox the SUBSCRIBE names, in the gateway's dial plans (those of the connection's security first).</summary>
    private static (Mailbox? Mailbox, DialPlan? Plan) FindMailbox(ConfigurationSnapshot config, IpGateway gateway, SipMessage request, bool tls)
    {
        var requestUri = request.RequestUri;
        var to = request.To?.Uri;
        foreach (var plan in config.DialPlansForGateway(gateway.Name).OrderByDescending(p => p.IsSecured == tls))
        {
            var mailbox = plan.UriType == UmUriType.SipName
                ? BySipUri(config, plan, requestUri) ?? BySipUri(config, plan, to)
                : ByExtension(config, plan, requestUri) ?? ByExtension(config, plan, to);
            if (mailbox is not null) return (mailbox, plan);
        }
        return (null, null);
    }

    private static Mailbox? BySipUri(ConfigurationSnapshot config, DialPlan plan, SipUri? uri) =>
        uri is { User: not null } ? config.FindMailboxBySipUri(plan.Name, uri.ToString()) : null;

    private static Mailbox? ByExtension(ConfigurationSnapshot config, DialPlan plan, SipUri? uri) =>
        uri?.User is { } user ? config.FindMailbox(plan.Name, user) : null;
}
