using System.Net;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

/// <summary>
/// A new SUBSCRIBE the agent has checked (a served package, a Contact, an Expires it can grant, room in the table),
/// waiting for the handler's decision: accept (200, then the initial NOTIFY at once, RFC 6665 §4.2.1.1) or reject.
/// </summary>
public sealed class IncomingSubscribe
{
    private readonly SipUserAgent _agent;
    private readonly NonInviteServerTransaction _transaction;
    private readonly SipConnection _connection;
    private readonly IPAddress _peer;
    private readonly string _localTag;
    private int _answered;

    internal IncomingSubscribe(SipUserAgent agent, NonInviteServerTransaction transaction, SipConnection connection, SipMessage request,
        SipEventHeader @event, TimeSpan expires, IPAddress peer)
    {
        _agent = agent;
        _transaction = transaction;
        _connection = connection;
        _peer = peer;
        _localTag = SipIds.NewTag();
        Request = request;
        EventHeader = @event;
        Expires = expires;
    }

    /// <summary>The SUBSCRIBE (Request-URI and To name the resource, e.g. the mailbox).</summary>
    public SipMessage Request { get; }

    /// <summary>The connection it arrived on (admitted like an INVITE would be; with the TLS peer's identity, if any).</summary>
    public SipConnectionInfo Connection => _connection.Info;

    /// <summary>The event package asked for (one of <see cref="SipNotifierOptions.EventPackages"/>).</summary>
    public string EventPackage => EventHeader.Package;

    /// <summary>The duration the agent will grant: the request's Expires (or the default) lowered to the maximum; 0 = a fetch.</summary>
    public TimeSpan Expires { get; }

    /// <summary>True once Accept, AcceptPending or Reject was called.</summary>
    public bool IsAnswered => Volatile.Read(ref _answered) != 0;

    internal SipEventHeader EventHeader { get; }

    internal IPAddress Peer => _peer;

    /// <summary>
    /// Accepts with state active: 200 OK (Expires, Contact, To tag), the subscription dialog, then the initial NOTIFY
    /// with <paramref name="body"/>. <paramref name="expires"/> may shorten <see cref="Expires"/>, never lengthen it.
    /// With a granted duration of 0 (a fetch) the NOTIFY says terminated;reason=timeout and the subscription ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already answered.</exception>
    public SipSubscription Accept(ReadOnlyMemory<byte> body, string contentType, TimeSpan? expires = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        return Answer(SipSubscriptionState.Active, body, contentType, expires);
    }

    /// <summary>
    /// Accepts with state pending (RFC 6665 §4.2.1.1: the state is not known yet): 200 OK, then an initial NOTIFY
    /// "Subscription-State: pending" without a body. The first <see cref="SipSubscription.NotifyAsync"/> makes it active.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already answered.</exception>
    public SipSubscription AcceptPending(TimeSpan? expires = null) => Answer(SipSubscriptionState.Pending, default, null, expires);

    /// <summary>Refuses with a final status (300-699, e.g. 403, 404, 489); counted and logged (2043, rate-limited). Ignored once answered.</summary>
    public void Reject(int statusCode, string? reason = null, IEnumerable<SipHeader>? extraHeaders = null)
    {
        if (statusCode is < 300 or > 699) throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A rejection is 300-699.");
        if (Interlocked.Exchange(ref _answered, 1) != 0) return;
        _agent.RefuseSubscribe(_transaction, _connection, Request, statusCode, reason, extraHeaders, _localTag, reserved: _peer);
    }

    private SipSubscription Answer(SipSubscriptionState state, ReadOnlyMemory<byte> body, string? contentType, TimeSpan? expires)
    {
        if (expires is { } e && e < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(expires));
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            throw new InvalidOperationException($"The SUBSCRIBE {Request.CallId} was already answered.");
        }
        // Whole seconds: Expires and the expires parameter carry nothing finer.
        var granted = TimeSpan.FromSeconds(Math.Floor((expires is { } asked && asked < Expires ? asked : Expires).TotalSeconds));
        var subscription = SipSubscription.ForNotifier(_agent, _connection, Request, _localTag, EventHeader, _peer);
        var ok = SipUserAgent.CreateResponse(Request, 200, null, _localTag);
        foreach (var rr in Request.Headers.GetAll("Record-Route")) ok.Headers.Add("Record-Route", rr);
        ok.Headers.Set("Expires", ((long)granted.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        ok.Headers.Set("Contact", _agent.ContactFor(_connection, Request.RequestUri?.User));
        ok.Headers.Set("User-Agent", _agent.Options.UserAgentHeader);
        // In the table before the 200 leaves, so an immediate refresh or unsubscribe finds it.
        subscription.Begin(granted, state, body, contentType);
        SipUserAgent.SendFinal(_transaction, ok);
        subscription.SendInitial();
        return subscription;
    }
}

/// <summary>The state a NOTIFY reports in Subscription-State (RFC 6665 §4.1.3).</summary>
public enum SipSubscriptionState
{
    /// <summary>Accepted, state not known yet: NOTIFYs carry no body.</summary>
    Pending,

    /// <summary>Accepted; NOTIFYs carry the state.</summary>
    Active,

    /// <summary>Over: the last NOTIFY said terminated.</summary>
    Terminated,
}

// Event: package and id (RFC 6665 §8.2.1); Value is what NOTIFYs echo.
internal sealed record SipEventHeader(string Package, string? Id, string Value)
{
    public static SipEventHeader? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!SipGrammar.IsToken(parts[0])) return null;
        string? id = null;
        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i].StartsWith("id=", StringComparison.OrdinalIgnoreCase)) id = parts[i][3..];
        }
        return new SipEventHeader(parts[0], id, id is null ? parts[0] : parts[0] + ";id=" + id);
    }

    // §8.2.1: the same package (tokens compared without case here, as peers vary) and the same id.
    public bool Matches(SipEventHeader other) =>
        string.Equals(Package, other.Package, StringComparison.OrdinalIgnoreCase) && string.Equals(Id, other.Id, StringComparison.Ordinal);
}
