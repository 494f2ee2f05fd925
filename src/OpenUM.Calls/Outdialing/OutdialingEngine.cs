using Microsoft.Extensions.Logging;
using OpenUM.Directory;
using OpenUM.Directory.Dialing;
using OpenUM.Sip;

namespace OpenUM.Calls.Outdialing;

/// <summary>
/// Toll-fraud gate for every outbound call (OUT-2/3): classify the target, refuse deny prefixes first,
/// refuse untrusted caller-ID call-backs abroad, then allow only what a rule of the acting context's
/// allowed groups matches (whitelist), and finally apply the per-user and per-server rate limits.
/// </summary>
public sealed class OutdialingEngine
{
    private readonly OutdialingOptions _options;
    private readonly ILogger _logger;
    private readonly OutdialingRateLimiter _limiter;
    private readonly LogThrottle _throttle;

    /// <summary>Creates an engine; the rate limits and event throttling read <paramref name="time"/>.</summary>
    public OutdialingEngine(OutdialingOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        _limiter = new OutdialingRateLimiter(time, options.PerUserLimit, options.PerServerLimit, options.RateWindow);
        _throttle = new LogThrottle(time, TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// The what-if verdict: the rules only, without rate limits, gateway choice or events (what
    /// `openum outdialing test` shows).
    /// </summary>
    public OutdialingDecision Evaluate(OutdialingRequest request) => Evaluate(request, _options, missingGroup: null);

    /// <summary>The rules-only verdict with explicit options (no engine state is involved).</summary>
    public static OutdialingDecision Evaluate(OutdialingRequest request, OutdialingOptions options) => Evaluate(request, options, missingGroup: null);

    /// <summary>
    /// The verdict for a call about to be placed: the rules, then an outbound gateway (1310 when none),
    /// then the rate limits; a refusal is event 1076. An allowed decision carries the gateway to use.
    /// </summary>
    public OutdialingDecision Authorize(OutdialingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = (request.Restrictions ?? OutdialingRestrictions.ForDialPlan(request.DialPlan)).Context;
        var decision = Evaluate(request, _options, group =>
        {
            if (_throttle.ShouldLog("1176:" + request.DialPlan.Name + ":" + group, out var suppressed))
            {
                OutdialingEvents.MissingDialGroupEntry(_logger, context, group, request.DialPlan.Name, LogThrottle.Describe(suppressed));
            }
        });
        if (!decision.Allowed)
        {
            return Refused(request, context, decision);
        }

        if (SelectGateway(request.Configuration, request.DialPlan) is not { } gateway)
        {
            if (_throttle.ShouldLog("1310:" + request.DialPlan.Name, out var suppressed))
            {
                OutdialingEvents.NoOutboundGatewaysForDialPlan(_logger, request.DialPlan.Name, decision.DialedNumber ?? request.Number, LogThrottle.Describe(suppressed));
            }

            return decision with
            {
                Allowed = false,
                ReasonCode = OutdialingReason.NoOutboundGateway,
                Reason = $"dial plan '{request.DialPlan.Name}' has no enabled IP gateway with OutcallsAllowed",
            };
        }

        var user = UserKey(request);
        var limit = _limiter.TryAcquire(user);
        if (limit != OutdialingReason.Allowed)
        {
            return Refused(request, context, decision with
            {
                Allowed = false,
                ReasonCode = limit,
                Reason = limit == OutdialingReason.UserRateLimit
                    ? $"{user} has placed {_options.PerUserLimit} outbound calls within {_options.RateWindow}; the limit refills over time"
                    : $"the server has placed {_options.PerServerLimit} outbound calls within {_options.RateWindow}; the limit refills over time",
            });
        }

        return decision with { Gateway = gateway.Name };
    }

    /// <summary>The first enabled gateway with OutcallsAllowed linked to the dial plan, or null.</summary>
    public static IpGateway? SelectGateway(ConfigurationSnapshot configuration, DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(dialPlan);
        return configuration.GatewaysForDialPlan(dialPlan.Name).FirstOrDefault(g => g.OutcallsAllowed && g.Status == UmStatus.Enabled);
    }

    private OutdialingDecision Refused(OutdialingRequest request, string context, OutdialingDecision decision)
    {
        OutdialingEvents.OutDialingRulesFailure(_logger, decision.Number ?? request.Number, decision.Kind?.ToString() ?? "Invalid",
            UserKey(request), context, request.DialPlan.Name, decision.ReasonCode, decision.Reason);
        return decision;
    }

    private static string UserKey(OutdialingRequest request) =>
        request.User is { Length: > 0 } user ? user : $"unauthenticated callers of dial plan '{request.DialPlan.Name}'";

    private static OutdialingDecision Evaluate(OutdialingRequest request, OutdialingOptions options, Action<string>? missingGroup)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var plan = request.DialPlan;
        var restrictions = request.Restrictions ?? OutdialingRestrictions.ForDialPlan(plan);
        if (NumberClassifier.Classify(request.Number, plan, out var error) is not { } number)
        {
            return Deny(null, OutdialingReason.InvalidNumber, error);
        }

        if (number.Kind == NumberKind.SipUri)
        {
            return plan.UriType != UmUriType.SipName ? Deny(number, OutdialingReason.SipUriNotAllowed, $"dial plan '{plan.Name}' is not a SipName plan, so it cannot dial SIP URIs")
                : request.Source == OutdialingTargetSource.CallerId ? Deny(number, OutdialingReason.UntrustedCallerId, "a SIP URI taken from a caller ID is not authenticated")
                : new OutdialingDecision(true, number.Kind, number.Number, null, null, number.Number, OutdialingReason.Allowed, "SIP URI target of a SipName dial plan");
        }

        if (number.Kind == NumberKind.Extension)
        {
            return Extension(request, restrictions, number);
        }

        if (DeniedPrefix(number, plan, options.DenyPrefixes) is { } prefix)
        {
            return Deny(number, OutdialingReason.DeniedPrefix, $"the number starts with the denied prefix {prefix} (premium rate), checked before any allow rule");
        }

        var international = number.Kind == NumberKind.International;
        var allowed = international ? restrictions.AllowedInternationalGroups : restrictions.AllowedInCountryOrRegionGroups;
        var configured = new DialingGroups(international ? plan.ConfiguredInternationalGroups : plan.ConfiguredInCountryOrRegionGroups);
        var groups = new List<DialingGroup>();
        foreach (var name in allowed)
        {
            if (configured.Find(name) is { } group)
            {
                groups.Add(group);
            }
            else
            {
                missingGroup?.Invoke(name);
            }
        }

        var what = international ? "international" : "in-country/region";
        if (groups.Count == 0)
        {
            return Deny(number, OutdialingReason.NoAllowedGroups, $"{restrictions.Context} allows no {what} dialing group");
        }

        var trusted = groups;
        if (international && request.Source == OutdialingTargetSource.CallerId)
        {
            trusted = groups.Where(g => options.CallBackInternationalGroups.Contains(g.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        }

        if (DialingRuleMatcher.Best(trusted, number.Number) is { } match)
        {
            return new OutdialingDecision(true, number.Kind, number.Number, match.Group, match.Entry.NumberMask, match.DialedNumber, OutdialingReason.Allowed,
                $"rule {match.Entry.NumberMask} of {what} group '{match.Group}' allowed by {restrictions.Context}");
        }

        return trusted.Count < groups.Count && DialingRuleMatcher.Best(groups, number.Number) is not null
            ? Deny(number, OutdialingReason.UntrustedCallerId,
                "a call-back to an international caller ID is refused (caller ID is not authenticated) unless its group is listed for call-backs")
            : Deny(number, OutdialingReason.NoMatchingRule,
                $"no rule of the {what} groups allowed by {restrictions.Context} ({string.Join(", ", groups.Select(g => g.Name))}) matches {number.Number}");
    }

    private static OutdialingDecision Extension(OutdialingRequest request, OutdialingRestrictions restrictions, ClassifiedNumber number)
    {
        // Reference §1.6: a user of the same dial plan needs AllowDialPlanSubscribers; any other number of
        // extension length needs AllowExtensions.
        if (request.Configuration.FindMailbox(request.DialPlan.Name, number.Number) is not null)
        {
            return restrictions.AllowDialPlanSubscribers
                ? new OutdialingDecision(true, number.Kind, number.Number, null, null, number.Number, OutdialingReason.Allowed,
                    $"extension of a user of dial plan '{request.DialPlan.Name}', allowed by AllowDialPlanSubscribers of {restrictions.Context}")
                : Deny(number, OutdialingReason.SubscribersNotAllowed, $"{restrictions.Context} does not allow dialing users of the dial plan (AllowDialPlanSubscribers is off)");
        }

        return restrictions.AllowExtensions
            ? new OutdialingDecision(true, number.Kind, number.Number, null, null, number.Number, OutdialingReason.Allowed,
                $"number of extension length, allowed by AllowExtensions of {restrictions.Context}")
            : Deny(number, OutdialingReason.ExtensionsNotAllowed, $"{restrictions.Context} does not allow dialing extensions that are no user of the dial plan (AllowExtensions is off)");
    }

    private static string? DeniedPrefix(ClassifiedNumber number, DialPlan plan, IReadOnlyList<string> denyPrefixes)
    {
        var e164 = NumberClassifier.ToE164(number, plan);
        var national = number.Kind == NumberKind.National ? NumberClassifier.WithTrunkPrefix(number, plan) : null;
        foreach (var prefix in denyPrefixes)
        {
            var hit = prefix.StartsWith('+')
                ? e164 is not null && e164.StartsWith(prefix, StringComparison.Ordinal)
                : national is not null && (national.StartsWith(prefix, StringComparison.Ordinal) || number.Number.StartsWith(prefix, StringComparison.Ordinal));
            if (hit && prefix.Length > (prefix.StartsWith('+') ? 1 : 0))
            {
                return prefix;
            }
        }

        return null;
    }

    private static OutdialingDecision Deny(ClassifiedNumber? number, OutdialingReason reason, string text) =>
        new(false, number?.Kind, number?.Number, null, null, null, reason, text);
}
