namespace OpenUM.Calls.Outdialing;

/// <summary>OUT-3, beyond Exchange: server-wide deny prefixes, caller-ID call-back policy and outdialing rate limits.</summary>
public sealed record OutdialingOptions
{
    /// <summary>
    /// Premium-rate and fraud-prone ranges refused before any allow rule: NANP 900/976, UK 09, Germany
    /// 0900, France 089, and the international shared-cost/satellite codes 881 and 882 often used in
    /// toll fraud. OpenUM's choice; an operator adds national ranges for their country.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultDenyPrefixes = ["+1900", "+1976", "+449", "+49900", "+3389", "+881", "+882"];

    /// <summary>
    /// Refused prefixes: "+digits" is matched against the number's E.164 form, plain digits against a
    /// national number as dialled inside the country (with the trunk prefix).
    /// </summary>
    public IReadOnlyList<string> DenyPrefixes { get; init; } = DefaultDenyPrefixes;

    /// <summary>
    /// International groups a call-back to a caller ID may use. Caller ID is not authenticated, so by
    /// default no call-back leaves the country whatever the allowed groups say.
    /// </summary>
    public IReadOnlyList<string> CallBackInternationalGroups { get; init; } = [];

    /// <summary>Most outbound calls one user (or one unauthenticated caller ID) may place per <see cref="RateWindow"/>.</summary>
    public int PerUserLimit { get; init; } = 10;

    /// <summary>Most outbound calls the whole server may place per <see cref="RateWindow"/>.</summary>
    public int PerServerLimit { get; init; } = 300;

    /// <summary>The window both limits refill over.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromHours(1);
}
