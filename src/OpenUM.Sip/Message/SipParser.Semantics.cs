namespace OpenUM.Sip.Message;

// Mandatory headers (RFC 3261 §8.1.1 / §8.2) and the typed values the transaction layer relies on.
public static partial class SipParser
{
    private readonly record struct Fault(SipRejectReason Reason, int Status, string Phrase, string? Header = null)
    {
        public static readonly Fault TooLarge = new(SipRejectReason.MessageTooLarge, 413, "Message Too Large");
        public static readonly Fault BodyTooLarge = new(SipRejectReason.BodyTooLarge, 413, "Body Too Large");
        public static readonly Fault LineTooLong = new(SipRejectReason.LineTooLong, 400, "Line Too Long");
        public static readonly Fault TooManyHeaders = new(SipRejectReason.TooManyHeaders, 400, "Too Many Headers");
        public static readonly Fault Truncated = new(SipRejectReason.Truncated, 400, "Truncated Message");
        public static readonly Fault MalformedHeaderLine = new(SipRejectReason.MalformedHeader, 400, "Malformed Header");
        public static readonly Fault MalformedRequestLine = new(SipRejectReason.MalformedStartLine, 400, "Malformed Request-Line");
        public static readonly Fault MalformedStatusLine = new(SipRejectReason.MalformedStartLine, 400, "Malformed Status-Line");
        public static readonly Fault UnsupportedVersion = new(SipRejectReason.UnsupportedVersion, 505, "Version Not Supported");
        public static readonly Fault UnsupportedScheme = new(SipRejectReason.UnsupportedUriScheme, 416, "Unsupported URI Scheme");
        public static readonly Fault BadRequestUri = new(SipRejectReason.BadRequestUri, 400, "Bad Request-URI");
        public static readonly Fault BadContentLength =
            new(SipRejectReason.BadContentLength, 400, "Bad Header: Content-Length", SipHeaderNames.ContentLength);

        public static Fault Missing(string header) => new(SipRejectReason.MissingHeader, 400, "Missing Header: " + header, header);
        public static Fault Bad(string header) => new(SipRejectReason.MalformedHeader, 400, "Bad Header: " + header, header);
        public static Fault Duplicate(string header) => new(SipRejectReason.DuplicateHeader, 400, "Duplicate Header: " + header, header);
        public static Fault BadLineEnding(string? header) =>
            new(SipRejectReason.InvalidLineEnding, 400, "Malformed Line Ending", header);
        public static Fault BadCharacter(string? header) =>
            new(SipRejectReason.InvalidCharacter, 400, header is null ? "Invalid Character" : "Bad Header: " + header, header);

        public SipRejection ToRejection(SipMessage? partial, bool canContinue) =>
            new(Reason, Status, Phrase, Header, partial, canContinue);
    }

    // Every typed value the transaction layer relies on is checked here with the grammar of its typed parser, in
    // place and without building it (the message is attached to its bytes by now).
    private static Fault? ValidateMessage(SipMessage m)
    {
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        var headers = m.Headers;
        var top = headers.IndexOf(SipHeaderNames.Via);
        if (top < 0) return Fault.Missing(SipHeaderNames.Via);
        for (var i = top; i >= 0; i = headers.IndexOf(SipHeaderNames.Via, i + 1))
        {
            var state = 0;
            if (!SipGrammar.TryForEachElement(headers.ValueChars(i, scratch), ref state,
                static (ReadOnlySpan<char> e, ref int unused) => SipVia.TryRead(e, out _)))
            {
                return Fault.Bad(SipHeaderNames.Via);
            }
        }
        // RFC 4475 §3.2.1: the magic cookie alone claims an RFC 3261 transaction id and gives none. Refused (the
        // RFC's first choice) rather than matched the RFC 2543 way: every request from such a peer would collide.
        if (m.TryReadTopVia(scratch, out var topVia) && topVia.HasBranch && topVia.Branch.SequenceEqual(Transactions.SipIds.MagicCookie))
        {
            return Fault.Bad(SipHeaderNames.Via);
        }

        // addr-spec allows any absoluteURI here (RFC 4475 §3.3.4): what a UAS does with it is its own decision.
        if (!m.TryReadFirst(SipHeaderNames.From, scratch, out var from)) return Fault.Missing(SipHeaderNames.From);
        if (!SipNameAddress.TryRead(from, anyScheme: true, out _)) return Fault.Bad(SipHeaderNames.From);
        if (!m.TryReadFirst(SipHeaderNames.To, scratch, out var to)) return Fault.Missing(SipHeaderNames.To);
        if (!SipNameAddress.TryRead(to, anyScheme: true, out _)) return Fault.Bad(SipHeaderNames.To);
        if (!m.TryReadFirst(SipHeaderNames.CallId, scratch, out var callId)) return Fault.Missing(SipHeaderNames.CallId);
        if (!IsCallId(callId)) return Fault.Bad(SipHeaderNames.CallId);
        if (!m.TryReadFirst(SipHeaderNames.CSeq, scratch, out var cseqText)) return Fault.Missing(SipHeaderNames.CSeq);
        if (!SipMessage.TryParseCSeq(cseqText, out var cseq)) return Fault.Bad(SipHeaderNames.CSeq);
        // A method nobody defined is the UAS's 501 whatever its CSeq says (RFC 4475 §3.1.2.18: 501 rather than
        // 400); a known one must match its CSeq, or transaction matching would mix two methods.
        if (m.IsRequest && !string.Equals(cseq.Method, m.Method, StringComparison.Ordinal) && SipGrammar.IsKnownMethod(m.Method))
        {
            return Fault.Bad(SipHeaderNames.CSeq);
        }
        // A missing Max-Forwards is tolerated (read as 70) because some gateways omit it; a bad one is not.
        if (m.TryReadFirst(SipHeaderNames.MaxForwards, scratch, out var maxForwards) && !SipMessage.TryParseMaxForwards(maxForwards, out _))
        {
            return Fault.Bad(SipHeaderNames.MaxForwards);
        }
        if (!AreContactsValid(headers, scratch)) return Fault.Bad(SipHeaderNames.Contact);
        return null;
    }

    // callid = word [ "@" word ]
    private static bool IsCallId(ReadOnlySpan<char> s)
    {
        var at = s.IndexOf('@');
        return at < 0 ? SipGrammar.IsWord(s) : SipGrammar.IsWord(s[..at]) && SipGrammar.IsWord(s[(at + 1)..]);
    }

    // Contact = ( STAR / (contact-param *(COMMA contact-param)) ); STAR only alone. The Contact view only ever
    // holds a target we can reach (sip, sips, tel): SipMessage.Contact reads the first one that way.
    private static bool AreContactsValid(SipHeaders headers, Span<char> scratch)
    {
        var lines = 0;
        var star = false;
        for (var i = headers.IndexOf(SipHeaderNames.Contact); i >= 0; i = headers.IndexOf(SipHeaderNames.Contact, i + 1))
        {
            lines++;
            var value = headers.ValueChars(i, scratch);
            if (value.SequenceEqual("*"))
            {
                star = true;
                continue;
            }
            var state = 0;
            if (!SipGrammar.TryForEachElement(value, ref state,
                static (ReadOnlySpan<char> e, ref int unused) => SipNameAddress.TryRead(e, anyScheme: true, out _)))
            {
                return false;
            }
        }
        return !star || lines == 1;
    }
}
