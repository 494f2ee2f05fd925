namespace OpenUM.Directory;

/// <summary>A UM dial plan (Exchange New-/Set-UMDialPlan): extension length, URI form, security mode and call limits.</summary>
public sealed record DialPlan
{
    /// <summary>Stable identity; the store keeps the first one it saw for a name.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive).</summary>
    public required string Name { get; init; }

    /// <summary>Fixed length of the extensions in this plan (1-20).</summary>
    public required int NumberOfDigitsInExtension { get; init; }

    /// <summary>URI form used with the gateways.</summary>
    public UmUriType UriType { get; init; } = UmUriType.TelExtn;

    /// <summary>Signalling/media security mode (SPEC §3).</summary>
    public VoipSecurity VoipSecurity { get; init; } = VoipSecurity.Unsecured;

    /// <summary>Subscriber-access (pilot) numbers, each at most 32 characters.</summary>
    public IReadOnlyList<string> AccessTelephoneNumbers { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>Country calling code of the plan's location, e.g. "1" or "44".</summary>
    public string? CountryOrRegionCode { get; init; }

    /// <summary>Trunk access code prefixed to external numbers; may be empty.</summary>
    public string OutsideLineAccessCode { get; init; } = "9";

    /// <summary>International prefix, e.g. "011" or "00".</summary>
    public string? InternationalAccessCode { get; init; }

    /// <summary>National trunk prefix, e.g. "1" or "0".</summary>
    public string? NationalNumberPrefix { get; init; }

    /// <summary>Unauthenticated callers may dial users of this plan.</summary>
    public bool AllowDialPlanSubscribers { get; init; } = true;

    /// <summary>Unauthenticated callers may dial any number of extension length.</summary>
    public bool AllowExtensions { get; init; }

    /// <summary>Hard cap per call (10-120 minutes).</summary>
    public TimeSpan MaxCallDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Maximum message length (1-100 minutes).</summary>
    public TimeSpan MaxRecordingDuration { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Silence that ends a recording (2-10 seconds).</summary>
    public TimeSpan RecordingIdleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What a caller gets while the server cannot store a message (data directory low on space or read-only):
    /// 503 with Retry-After, so the gateway tries another UM server (default), or a spoken apology and a hang-up.
    /// </summary>
    public StorageFullAction StorageFullAction { get; init; } = StorageFullAction.Refuse;

    /// <summary>Consecutive failed PIN logons before the call is dropped (1-20).</summary>
    public int LogonFailuresBeforeDisconnect { get; init; } = 3;

    /// <summary>Operator transfer target; null = no operator transfer.</summary>
    public string? OperatorExtension { get; init; }

    /// <summary>In-country dialing rules (OUT-1); entries sharing a Name form one group.</summary>
    public IReadOnlyList<Dialing.DialingRuleEntry> ConfiguredInCountryOrRegionGroups { get; init => field = ValueList<Dialing.DialingRuleEntry>.From(value); } = ValueList<Dialing.DialingRuleEntry>.Empty;

    /// <summary>International dialing rules (OUT-1); entries sharing a Name form one group.</summary>
    public IReadOnlyList<Dialing.DialingRuleEntry> ConfiguredInternationalGroups { get; init => field = ValueList<Dialing.DialingRuleEntry>.From(value); } = ValueList<Dialing.DialingRuleEntry>.Empty;

    /// <summary>In-country groups unauthenticated callers may dial; each must be configured (case-insensitive).</summary>
    public IReadOnlyList<string> AllowedInCountryOrRegionGroups { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>International groups unauthenticated callers may dial; each must be configured (case-insensitive).</summary>
    public IReadOnlyList<string> AllowedInternationalGroups { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>
    /// The server listens for the fax calling tone on this plan's voice mail calls (Exchange's FaxEnabled, default true):
    /// a fax is then handed to the mailbox policy's FaxServerUri, or hung up on, rather than recorded. With false a
    /// fax machine's tones are recorded as a voice message like any other sound.
    /// </summary>
    public bool FaxEnabled { get; init; } = true;

    /// <summary>
    /// Language of the prompts callers hear (Exchange DefaultLanguage): the greeting of a mailbox without a language
    /// of its own, subscriber access before logon. A culture name whose language pack is installed ("en-US", "fr-FR").
    /// </summary>
    public string DefaultLanguage { get; init; } = DefaultLanguageName;

    /// <summary>The language of a dial plan that names none.</summary>
    public const string DefaultLanguageName = "en-US";

    /// <summary>True for SipSecured and Secured, which need mutual TLS and FQDN gateways.</summary>
    public bool IsSecured => VoipSecurity != VoipSecurity.Unsecured;
}

/// <summary>How a dial plan's new calls are turned away while the server cannot store messages.</summary>
public enum StorageFullAction
{
    /// <summary>503 Service Unavailable with Retry-After before anything is answered: the gateway routes elsewhere.</summary>
    Refuse,
    /// <summary>Answered with "the voice mail system cannot take a message now", then hung up.</summary>
    Announce,
}
