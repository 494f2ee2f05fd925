using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Rfc4475;

// Every message of RFC 4475 §3, with the outcome the RFC gives a UAS over a datagram (the RFC's own setting) and
// over a stream. Where the RFC offers alternatives the choice and its reason are in the comment of the row.
// "Answer" lists every response the stack sends, in order; after it the TCP connection stays open or is closed
// (framing lost). Requests get what the stack gives any valid request of their kind: an INVITE without a To tag
// reaches the call layer, here absent, so 480 at once (and no 100 Trying, which only an INVITE left unanswered
// for 200 ms gets, RFC 3261 §17.2.1); one with a To tag names no dialog of ours (481); OPTIONS 200; REGISTER and
// MESSAGE are methods we know and do not serve (405 + Allow; RFC 4475 §3.3.7: "Endpoints choosing not to act as registrars will simply reject the request. A 405 Method
// Not Allowed is appropriate."); methods nobody defined 501 + Allow.
public static class Rfc4475Messages
{
    public static readonly IReadOnlyList<Rfc4475Case> All =
    [
        // 3.1.1 Valid messages: parsed, then answered like any request of their kind.
        new("3.1.1.1", "wsinv", "A Short Tortuous INVITE", Answer(481), Answer(481)),
        new("3.1.1.2", "intmeth", "Wide Range of Valid Characters", Answer(501).With("Allow"), Answer(501).With("Allow")),
        new("3.1.1.3", "esc01", "Valid Use of the % Escaping Mechanism", Answer(480), Answer(480)),
        new("3.1.1.4", "escnull", "Escaped Nulls in URIs", Answer(405).With("Allow"), Answer(405).With("Allow")),
        new("3.1.1.5", "esc02", "Use of % When It Is Not an Escape", Answer(501).With("Allow"), Answer(501).With("Allow")),
        new("3.1.1.6", "lwsdisp", "Message with No LWS between Display Name and <", Answer(200), Answer(200)),
        new("3.1.1.7", "longreq", "Long Values in Header Fields", Answer(480), Answer(480)),
        // The trailing octets are noise in a datagram (RFC 3261 §18.3). On a stream the same bytes are the next
        // messages: the INVITE (Content-Length 150) is answered, the 5 octets after its body ("C" CRLF CRLF) have no
        // Content-Length, so the framing is lost and the connection closes without a word.
        new("3.1.1.8", "dblreq", "Extra Trailing Octets in a UDP Datagram", Answer(405).With("Allow"),
            Answer(405, 480).ThenClose().Reporting(SipRejectionOutcome.Dropped)),
        new("3.1.1.9", "semiuri", "Semicolon-Separated Parameters in URI User Part", Answer(200), Answer(200)),
        new("3.1.1.10", "transports", "Varied and Unknown Transport Types", Answer(200), Answer(200)),
        new("3.1.1.11", "mpart01", "Multipart MIME Message", Answer(405).With("Allow"), Answer(405).With("Allow")),
        // Responses matching no transaction of ours are discarded (RFC 3261 §18.1.2).
        new("3.1.1.12", "unreason", "Unusual Reason Phrase", Drop(), Drop()),
        new("3.1.1.13", "noreason", "Empty Reason Phrase", Drop(), Drop()),

        // 3.1.2 Invalid messages: 400 (or the RFC's status), answered even when the Via itself is what is broken.
        new("3.1.2.1", "badinv01", "Extraneous Header Field Separators", Rejected(400, "Bad Header: Via"), Rejected(400, "Bad Header: Via")),
        // Stream: the RFC says wait for the rest and close when none comes (Rfc4475StreamTests.Clerr_*).
        new("3.1.2.2", "clerr", "Content Length Larger Than Message", Rejected(400, "Bad Header: Content-Length"), null),
        new("3.1.2.3", "ncl", "Negative Content-Length", Rejected(400, "Bad Header: Content-Length"),
            Rejected(400, "Bad Header: Content-Length").ThenClose()),
        new("3.1.2.4", "scalar02", "Request Scalar Fields with Overlarge Values", Rejected(400, "Bad Header: CSeq"), Rejected(400, "Bad Header: CSeq")),
        new("3.1.2.5", "scalarlg", "Response Scalar Fields with Overlarge Values", Dropped(), Dropped()),
        new("3.1.2.6", "quotbal", "Unterminated Quoted String in Display Name", Rejected(400, "Bad Header: To"), Rejected(400, "Bad Header: To")),
        // 3.1.2.7 to 3.1.2.11: the RFC allows ignoring the error; RFC 3261 grammar is strict, so are we (400).
        new("3.1.2.7", "ltgtruri", "<> Enclosing Request-URI", Rejected(400, "Bad Request-URI"), Rejected(400, "Bad Request-URI")),
        new("3.1.2.8", "lwsruri", "Malformed SIP Request-URI (embedded LWS)", Rejected(400, "Malformed Request-Line"), Rejected(400, "Malformed Request-Line")),
        new("3.1.2.9", "lwsstart", "Multiple SP Separating Request-Line Elements", Rejected(400, "Malformed Request-Line"), Rejected(400, "Malformed Request-Line")),
        new("3.1.2.10", "trws", "SP Characters at End of Request-Line", Rejected(400, "Malformed Request-Line"), Rejected(400, "Malformed Request-Line")),
        new("3.1.2.11", "escruri", "Escaped Headers in SIP Request-URI", Rejected(400, "Bad Request-URI"), Rejected(400, "Bad Request-URI")),
        // The RFC: an element "shouldn't [reject] unless the contents of the Date header field were actually
        // important to its processing". Ours ignores Date, so the INVITE is taken like any other.
        new("3.1.2.12", "baddate", "Invalid Time Zone in Date Header Field", Answer(480), Answer(480)),
        new("3.1.2.13", "regbadct", "Failure to Enclose name-addr URI in <>", Rejected(400, "Bad Header: Contact"), Rejected(400, "Bad Header: Contact")),
        new("3.1.2.14", "badaspec", "Spaces within addr-spec", Rejected(400, "Bad Header: To"), Rejected(400, "Bad Header: To")),
        // The archive's baddn.dat has no blank line after its last header: as a datagram it is truncated (still a
        // 400); on a stream it is complete only once that CRLF comes (Rfc4475StreamTests.Baddn_*).
        new("3.1.2.15", "baddn", "Non-token Characters in Display Name", Rejected(400, "Truncated Message"), null),
        new("3.1.2.16", "badvers", "Unknown Protocol Version", Rejected(505, "Version Not Supported"), Rejected(505, "Version Not Supported")),
        new("3.1.2.17", "mismatch01", "Start Line and CSeq Method Mismatch", Rejected(400, "Bad Header: CSeq"), Rejected(400, "Bad Header: CSeq")),
        // 501 rather than 400: the RFC's preferred answer ("better future-proof characteristics").
        new("3.1.2.18", "mismatch02", "Unknown Method with CSeq Method Mismatch", Answer(501).With("Allow"), Answer(501).With("Allow")),
        new("3.1.2.19", "bigcode", "Overlarge Response Code", Dropped(), Dropped()),

        // 3.2 Transaction layer. The RFC allows a 400 ("preferably statelessly") or the RFC 2543 matching; the
        // first is what RFC 3261 §17.2.3 implies for a branch that claims the cookie and carries no id.
        new("3.2.1", "badbranch", "Missing Transaction Identifier", Rejected(400, "Bad Header: Via"), Rejected(400, "Bad Header: Via")),

        // 3.3 Application-layer semantics.
        new("3.3.1", "insuf", "Missing Required Header Fields", Rejected(400, "Missing Header: From"), Rejected(400, "Missing Header: From")),
        new("3.3.2", "unkscm", "Request-URI with Unknown Scheme", Rejected(416, "Unsupported URI Scheme"), Rejected(416, "Unsupported URI Scheme")),
        // A scheme we never serve is unknown to us: 416 (the RFC's 404 is for an element that serves some URIs of it).
        new("3.3.3", "novelsc", "Request-URI with Known but Atypical Scheme", Rejected(416, "Unsupported URI Scheme"), Rejected(416, "Unsupported URI Scheme")),
        // Valid: http:, isbn: and name: URIs are parsed and carried; the REGISTER gets what any REGISTER gets.
        new("3.3.4", "unksm2", "Unknown URI Schemes in Header Fields", Answer(405).With("Allow"), Answer(405).With("Allow")),
        new("3.3.5", "bext01", "Proxy-Require and Require", Answer(420).With("Unsupported"), Answer(420).With("Unsupported")),
        new("3.3.6", "invut", "Unknown Content-Type", Answer(415).With("Accept"), Answer(415).With("Accept")),
        new("3.3.7", "regaut01", "Unknown Authorization Scheme", Answer(405).With("Allow"), Answer(405).With("Allow")),
        new("3.3.8", "multi01", "Multiple Values in Single Value Required Fields", Rejected(400, "Duplicate Header: CSeq"), Rejected(400, "Duplicate Header: CSeq")),
        new("3.3.9", "mcl01", "Multiple Content-Length Values", Rejected(400, "Duplicate Header: Content-Length"),
            Rejected(400, "Duplicate Header: Content-Length").ThenClose()),
        new("3.3.10", "bcast", "200 OK Response with Broadcast Via Header Field Value", Drop(), Drop()),
        // An endpoint processes the request as if Max-Forwards were still positive: OPTIONS 200.
        new("3.3.11", "zeromf", "Max-Forwards of Zero", Answer(200), Answer(200)),
        new("3.3.12", "cparam01", "REGISTER with a Contact Header Parameter", Answer(405).With("Allow"), Answer(405).With("Allow")),
        new("3.3.13", "cparam02", "REGISTER with a url-parameter", Answer(405).With("Allow"), Answer(405).With("Allow")),
        new("3.3.14", "regescrt", "REGISTER with a URL Escaped Header", Answer(405).With("Allow"), Answer(405).With("Allow")),
        // 406 with a Warning 399 is the RFC's first answer; its other one, 400, would call a valid request malformed.
        new("3.3.15", "sdp01", "Unacceptable Accept Offering", Answer(406).With("Warning"), Answer(406).With("Warning")),

        // 3.4 Backward compatibility: valid as a datagram (no Content-Length: the body is the rest of it). On a
        // stream a message without Content-Length cannot be framed (RFC 3261 §18.3): 400, then the connection closes.
        new("3.4.1", "inv2543", "INVITE with RFC 2543 Syntax", Answer(480),
            Rejected(400, "Missing Header: Content-Length").ThenClose()),
    ];

    public static Rfc4475Case Get(string name) => All.Single(c => c.Name == name);

    // The exact bytes of the archive file (embedded resource Rfc4475/<name>.dat).
    public static byte[] Bytes(string name)
    {
        using var stream = typeof(Rfc4475Messages).Assembly.GetManifestResourceStream($"Rfc4475/{name}.dat")
            ?? throw new InvalidOperationException($"RFC 4475 message {name}.dat is not embedded.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    // xunit data: one row per message that has an expectation for that path.
    public static TheoryData<string> Names(bool stream)
    {
        var data = new TheoryData<string>();
        foreach (var c in All)
        {
            if ((stream ? c.Stream : c.Datagram) is not null) data.Add(c.Name);
        }
        return data;
    }

    private static Outcome Answer(params int[] statuses) => new(statuses, null, [], false, []);

    private static Outcome Drop() => new([], null, [], false, []);

    // A message the parser refuses: its status and reason phrase, answered, and reported as answered.
    private static Outcome Rejected(int status, string reason) => new([status], reason, [], false, [SipRejectionOutcome.Answered]);

    // A malformed response: nothing to answer, reported as dropped.
    private static Outcome Dropped() => new([], null, [], false, [SipRejectionOutcome.Dropped]);
}

/// <summary>One RFC 4475 §3 message and what a UAS owes it over each transport (null: a test of its own).</summary>
public sealed record Rfc4475Case(string Section, string Name, string Title, Outcome? Datagram, Outcome? Stream)
{
    public override string ToString() => $"{Section} {Name}";
}

/// <summary>
/// Responses in order (empty: nothing is sent), the final one's reason phrase when it matters, headers it must
/// carry, whether the TCP connection is closed afterwards, and the MessageRejected outcomes raised.
/// </summary>
public sealed record Outcome(int[] Statuses, string? Reason, string[] Headers, bool Closes, SipRejectionOutcome[] Reports)
{
    public Outcome With(params string[] headers) => this with { Headers = headers };

    public Outcome ThenClose() => this with { Closes = true };

    public Outcome Reporting(params SipRejectionOutcome[] reports) => this with { Reports = reports };
}
