namespace OpenUM.Sip.Message;

/// <summary>Outcome of a parse attempt.</summary>
public enum SipParseResult { Complete, Incomplete, Invalid }

/// <summary>Why the parser rejected a message.</summary>
public enum SipRejectReason
{
    /// <summary>400: the Request-Line or Status-Line does not follow the grammar.</summary>
    MalformedStartLine,
    /// <summary>400 "Bad Header: X" or "Malformed Header": a header line or value breaks the grammar.</summary>
    MalformedHeader,
    /// <summary>400 "Missing Header: X".</summary>
    MissingHeader,
    /// <summary>505: a SIP version other than 2.0.</summary>
    UnsupportedVersion,
    /// <summary>416: a Request-URI scheme other than sip, sips, tel.</summary>
    UnsupportedUriScheme,
    /// <summary>413: the message exceeds MaxMessageBytes.</summary>
    MessageTooLarge,
    /// <summary>400: more header lines than MaxHeaderCount.</summary>
    TooManyHeaders,
    /// <summary>400: a line longer than MaxLineBytes.</summary>
    LineTooLong,
    /// <summary>400 "Bad Header: Content-Length": not a number, or (datagram) longer than the packet.</summary>
    BadContentLength,
    /// <summary>413: the body exceeds MaxBodyBytes.</summary>
    BodyTooLarge,
    /// <summary>400: a single-valued header (Content-Length, Call-ID, CSeq, From, To, Max-Forwards) repeated with another value.</summary>
    DuplicateHeader,
    /// <summary>400: the Request-URI does not parse.</summary>
    BadRequestUri,
    /// <summary>400: a line ends in a bare LF or bare CR (only CRLF terminates a line).</summary>
    InvalidLineEnding,
    /// <summary>400: a control character (NUL, DEL...) inside a line.</summary>
    InvalidCharacter,
    /// <summary>400: a datagram ends before the end of its header section.</summary>
    Truncated,
    /// <summary>400: a datagram holding nothing but CRLF.</summary>
    Empty,
    /// <summary>400: parser defect caught as a last line of defense (never expected).</summary>
    InternalError,
}

/// <summary>A typed parse rejection carrying the SIP status the transport should answer with.</summary>
/// <param name="Reason">What was wrong.</param>
/// <param name="StatusCode">Status to answer a request with.</param>
/// <param name="ReasonPhrase">Reason phrase naming the bad header, e.g. "Bad Header: CSeq".</param>
/// <param name="HeaderName">Canonical name of the offending header, when one is at fault.</param>
/// <param name="Partial">Start line and headers parsed so far, for copying Via/From/To/Call-ID/CSeq.</param>
/// <param name="CanContinue">Stream framing is intact: the connection may go on after <c>consumed</c>.</param>
public sealed record SipRejection(SipRejectReason Reason, int StatusCode, string ReasonPhrase,
    string? HeaderName, SipMessage? Partial, bool CanContinue);

/// <summary>What the user agent did with a rejected message.</summary>
public enum SipRejectionOutcome
{
    /// <summary>The error response was sent: on the request's own connection (TCP/TLS), or to the address its top Via names (UDP).</summary>
    Answered,
    /// <summary>Nothing was sent: a response, an ACK, a message without a request line, or a datagram without a Via to answer to.</summary>
    Dropped,
}

/// <summary>Size caps the parser enforces before buffering more input.</summary>
public readonly record struct SipParserLimits(int MaxMessageBytes = 65536, int MaxHeaderCount = 100,
    int MaxLineBytes = 8192, int MaxBodyBytes = 32768)
{
    /// <summary>Creates the default limits (64 KiB message, 100 headers, 8 KiB lines, 32 KiB body).</summary>
    public SipParserLimits() : this(65536, 100, 8192, 32768) { }
}
