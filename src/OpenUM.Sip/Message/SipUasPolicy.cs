namespace OpenUM.Sip.Message;

/// <summary>What a UAS accepts: methods, option tags (Require) and body media types.</summary>
public sealed record SipUasPolicy(IReadOnlySet<string> AllowedMethods, IReadOnlySet<string> SupportedExtensions,
    IReadOnlySet<string> AcceptedContentTypes)
{
    /// <summary>INVITE ACK BYE CANCEL OPTIONS INFO UPDATE; no extensions; application/sdp, alone or in multipart/mixed.</summary>
    public static SipUasPolicy Default { get; } = new(
        new HashSet<string>(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "UPDATE"], StringComparer.Ordinal),
        new HashSet<string>(StringComparer.Ordinal),
        new HashSet<string>(["application/sdp", "multipart/mixed"], StringComparer.OrdinalIgnoreCase));
}
