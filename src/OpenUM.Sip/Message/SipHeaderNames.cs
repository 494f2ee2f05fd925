using System.Text;

namespace OpenUM.Sip.Message;

// Canonical long names, compact forms (RFC 3261 §7.3.3 and the IANA registry) and interning of the
// common names so the parser does not allocate a string per header name.
internal static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string MaxForwards = "Max-Forwards";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string ContentEncoding = "Content-Encoding";

    private static readonly string[] Known =
    [
        Via, From, To, CallId, CSeq, Contact, MaxForwards, ContentLength, ContentType, ContentEncoding,
        "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
        "Authentication-Info", "Authorization", "Call-Info", "Content-Disposition", "Content-Language", "Date",
        "Diversion", "Error-Info", "Event", "Expires", "History-Info", "Identity", "Identity-Info", "In-Reply-To",
        "Min-Expires", "Min-SE", "MIME-Version", "Organization", "P-Asserted-Identity", "P-Charging-Vector",
        "P-Preferred-Identity", "Path", "Priority", "Privacy", "Proxy-Authenticate", "Proxy-Authorization",
        "Proxy-Require", "RAck", "Reason", "Record-Route", "Refer-To", "Referred-By", "Reject-Contact",
        "Remote-Party-ID", "Replaces", "Reply-To", "Request-Disposition", "Require", "Retry-After", "Route",
        "RSeq", "Server", "Service-Route", "Session-Expires", "Subject", "Subscription-State", "Supported",
        "Timestamp", "Unsupported", "User-Agent", "Warning", "WWW-Authenticate",
    ];

    // Indexed by lower-case letter - 'a'.
    private static readonly string?[] Compact = BuildCompact();

    // Known names bucketed by length for a cheap, allocation-free byte lookup.
    private static readonly string[][] ByLength = BuildByLength();

    private static string?[] BuildCompact()
    {
        var map = new string?[26];
        void Set(char c, string name) => map[c - 'a'] = name;
        Set('a', "Accept-Contact"); Set('b', "Referred-By"); Set('c', ContentType); Set('d', "Request-Disposition");
        Set('e', ContentEncoding); Set('f', From); Set('i', CallId); Set('j', "Reject-Contact"); Set('k', "Supported");
        Set('l', ContentLength); Set('m', Contact); Set('n', "Identity-Info"); Set('o', "Event"); Set('r', "Refer-To");
        Set('s', "Subject"); Set('t', To); Set('u', "Allow-Events"); Set('v', Via); Set('x', "Session-Expires");
        Set('y', "Identity");
        return map;
    }

    private static string[][] BuildByLength()
    {
        var max = Known.Max(n => n.Length);
        var buckets = new string[max + 1][];
        for (var len = 0; len <= max; len++) buckets[len] = Known.Where(n => n.Length == len).ToArray();
        return buckets;
    }

    /// <summary>Maps a name as written (compact or any case) to the canonical form.</summary>
    public static string Canonicalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 1)
        {
            var c = (char)(name[0] | 0x20);
            if (c is >= 'a' and <= 'z' && Compact[c - 'a'] is { } full) return full;
        }
        if (name.Length < ByLength.Length)
        {
            foreach (var known in ByLength[name.Length])
            {
                if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) return known;
            }
        }
        return name;
    }

    /// <summary>Canonical name for a token already validated as ASCII; allocates only for unknown names.</summary>
    public static string FromBytes(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            var c = (char)(name[0] | 0x20);
            if (c is >= 'a' and <= 'z' && Compact[c - 'a'] is { } full) return full;
        }
        if (name.Length < ByLength.Length)
        {
            foreach (var known in ByLength[name.Length])
            {
                if (Ascii.EqualsIgnoreCase(name, known)) return known;
            }
        }
        return Encoding.ASCII.GetString(name);
    }
}
