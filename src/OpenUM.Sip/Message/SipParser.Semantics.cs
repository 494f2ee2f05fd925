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

    private static Fault? ValidateMessage(SipMessage m, in Singles singles)
    {
        var vias = new List<SipVia>(2);
        var anyVia = false;
        for (var i = 0; i < m.Headers.Count; i++)
        {
            var h = m.Headers[i];
            if (!ReferenceEquals(h.Name, SipHeaderNames.Via)) continue;
            anyVia = true;
            if (!SipGrammar.TryForEachElement(h.Value, ref vias, static (ReadOnlySpan<char> e, ref List<SipVia> list) =>
                {
                    if (!SipVia.TryParse(e, out var via)) return false;
                    list.Add(via!);
                    return true;
                }))
            {
                return Fault.Bad(SipHeaderNames.Via);
            }
        }
        if (!anyVia) return Fault.Missing(SipHeaderNames.Via);
        // RFC 4475 §3.2.1: the magic cookie alone claims an RFC 3261 transaction id and gives none. Refused (the
        // RFC's first choice) rather than matched the RFC 2543 way: every request from such a peer would collide.
        if (string.Equals(vias[0].Branch, Transactions.SipIds.MagicCookie, StringComparison.Ordinal))
        {
            return Fault.Bad(SipHeaderNames.Via);
        }

        if (singles.From is null) return Fault.Missing(SipHeaderNames.From);
        // addr-spec allows any absoluteURI here (RFC 4475 §3.3.4): what a UAS does with it is its own decision.
        if (!SipNameAddress.TryParse(singles.From, anyScheme: true, out var from)) return Fault.Bad(SipHeaderNames.From);
        if (singles.To is null) return Fault.Missing(SipHeaderNames.To);
        if (!SipNameAddress.TryParse(singles.To, anyScheme: true, out var to)) return Fault.Bad(SipHeaderNames.To);
        if (singles.CallId is null) return Fault.Missing(SipHeaderNames.CallId);
        if (!IsCallId(singles.CallId)) return Fault.Bad(SipHeaderNames.CallId);
        if (singles.CSeq is null) return Fault.Missing(SipHeaderNames.CSeq);
        if (!SipMessage.TryParseCSeq(singles.CSeq, out var cseq)) return Fault.Bad(SipHeaderNames.CSeq);
        // A method nobody defined is the UAS's 501 whatever its CSeq says (RFC 4475 §3.1.2.18: 501 rather than
        // 400); a known one must match its CSeq, or transaction matching would mix two methods.
        if (m.IsRequest && !string.Equals(cseq.Method, m.Method, StringComparison.Ordinal) && SipGrammar.IsKnownMethod(m.Method))
        {
            return Fault.Bad(SipHeaderNames.CSeq);
        }
        // A missing Max-Forwards is tolerated (read as 70) because some gateways omit it; a bad one is not.
        if (singles.MaxForwards is not null && !SipMessage.TryParseMaxForwards(singles.MaxForwards, out _))
        {
            return Fault.Bad(SipHeaderNames.MaxForwards);
        }
        if (!TryValidateContacts(m, out var contact)) return Fault.Bad(SipHeaderNames.Contact);

        // The Contact view only ever holds a target we can reach (sip, sips, tel).
        m.SeedViews(vias, from, to, cseq, contact is { Uri.IsOpaque: true } ? null : contact);
        return null;
    }

    // callid = word [ "@" word ]
    private static bool IsCallId(string value)
    {
        var s = value.AsSpan();
        var at = s.IndexOf('@');
        return at < 0 ? SipGrammar.IsWord(s) : SipGrammar.IsWord(s[..at]) && SipGrammar.IsWord(s[(at + 1)..]);
    }

    // Contact = ( STAR / (contact-param *(COMMA contact-param)) ); STAR only alone.
    private static bool TryValidateContacts(SipMessage m, out SipNameAddress? first)
    {
        first = null;
        var lines = 0;
        var star = false;
        var state = (First: (SipNameAddress?)null, Count: 0);
        for (var i = 0; i < m.Headers.Count; i++)
        {
            var h = m.Headers[i];
            if (!ReferenceEquals(h.Name, SipHeaderNames.Contact)) continue;
            lines++;
            if (h.Value == "*")
            {
                star = true;
                continue;
            }
            if (!SipGrammar.TryForEachElement(h.Value, ref state,
                static (ReadOnlySpan<char> e, ref (SipNameAddress? First, int Count) st) =>
                {
                    if (!SipNameAddress.TryParse(e, anyScheme: true, out var a)) return false;
                    st.First ??= a;
                    st.Count++;
                    return true;
                }))
            {
                return false;
            }
        }
        if (star && lines > 1) return false;
        first = state.First;
        return true;
    }
}
