using OpenUM.Directory;

namespace OpenUM.Calls.Outdialing;

/// <summary>Why an outbound call may be placed or not (OUT-2/3).</summary>
public enum OutdialingReason
{
    /// <summary>A rule or extension setting allows it.</summary>
    Allowed,
    /// <summary>The target is not a phone number.</summary>
    InvalidNumber,
    /// <summary>The number starts with a deny prefix (premium rate).</summary>
    DeniedPrefix,
    /// <summary>A call-back to an unauthenticated caller ID that the policy does not allow.</summary>
    UntrustedCallerId,
    /// <summary>The context allows no group for this kind of number.</summary>
    NoAllowedGroups,
    /// <summary>No entry of the allowed groups matches (whitelist).</summary>
    NoMatchingRule,
    /// <summary>The target is a user of the dial plan and AllowDialPlanSubscribers is off.</summary>
    SubscribersNotAllowed,
    /// <summary>The target has extension length and AllowExtensions is off.</summary>
    ExtensionsNotAllowed,
    /// <summary>A SIP URI target outside a SipName dial plan.</summary>
    SipUriNotAllowed,
    /// <summary>The user's outdialing rate limit is reached.</summary>
    UserRateLimit,
    /// <summary>The server's outdialing rate limit is reached.</summary>
    ServerRateLimit,
    /// <summary>The dial plan has no enabled gateway with OutcallsAllowed.</summary>
    NoOutboundGateway,
}

/// <summary>Where an outbound target comes from: typed by someone, or taken from a caller ID (call the sender back).</summary>
public enum OutdialingTargetSource
{
    /// <summary>Entered by the user or the administrator (transfer, Play on Phone, Call Someone).</summary>
    Entered,
    /// <summary>A caller ID from a previous call: not authenticated, possibly spoofed.</summary>
    CallerId,
}

/// <summary>One outbound call to check.</summary>
public sealed record OutdialingRequest
{
    /// <summary>The configuration the check reads (mailboxes for subscriber targets, gateways).</summary>
    public required ConfigurationSnapshot Configuration { get; init; }

    /// <summary>The dial plan whose access codes classify the number and whose groups hold the rules.</summary>
    public required DialPlan DialPlan { get; init; }

    /// <summary>The acting context's restrictions; the dial plan's own when null.</summary>
    public OutdialingRestrictions? Restrictions { get; init; }

    /// <summary>The target as given.</summary>
    public required string Number { get; init; }

    /// <summary>Where the target came from.</summary>
    public OutdialingTargetSource Source { get; init; } = OutdialingTargetSource.Entered;

    /// <summary>Who places the call: a mailbox for logged-on users, the caller ID for others; the per-user rate limit key.</summary>
    public string? User { get; init; }
}

/// <summary>The verdict on one outbound call; <see cref="DialedNumber"/> is what the gateway receives.</summary>
public sealed record OutdialingDecision(
    bool Allowed,
    NumberKind? Kind,
    string? Number,
    string? Group,
    string? Rule,
    string? DialedNumber,
    OutdialingReason ReasonCode,
    string Reason)
{
    /// <summary>The gateway chosen for the call (set by <see cref="OutdialingEngine.Authorize"/>).</summary>
    public string? Gateway { get; init; }
}
