namespace OpenUM.Sip;

/// <summary>What a UAS accepts: methods, option tags (Require) and body media types.</summary>
public sealed record SipUasPolicy(IReadOnlySet<string> AllowedMethods, IReadOnlySet<string> SupportedExtensions,
    IReadOnlySet<string> AcceptedContentTypes);
