namespace OpenUM.Sip;

/// <summary>Outcome of a parse attempt.</summary>
public enum SipParseResult { Complete, Incomplete, Invalid }

/// <summary>Why the parser rejected a message.</summary>
public enum SipRejectReason
{
    MalformedStartLine,
    MalformedHeader,
    MissingHeader,
    UnsupportedVersion,
    UnsupportedUriScheme,
    MessageTooLarge,
    TooManyHeaders,
    LineTooLong,
    BadContentLength,
    BodyTooLarge,
    DuplicateHeader,
    BadRequestUri,
    InternalError,
}

/// <summary>A typed parse rejection carrying the SIP status the transport should answer with.</summary>
public sealed record SipRejection(SipRejectReason Reason, int StatusCode, string ReasonPhrase,
    string? HeaderName, SipMessage? Partial, bool CanContinue);

/// <summary>Size caps the parser enforces before buffering more input.</summary>
public readonly record struct SipParserLimits(int MaxMessageBytes = 65536, int MaxHeaderCount = 100,
    int MaxLineBytes = 8192, int MaxBodyBytes = 32768)
{
    /// <summary>Creates the default limits.</summary>
    public SipParserLimits() : this(65536, 100, 8192, 32768) { }
}
