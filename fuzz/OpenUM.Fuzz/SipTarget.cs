using System.Buffers;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;

namespace OpenUM.Fuzz;

/// <summary>
/// SIP messages (RFC 3261) as UDP datagrams and as TCP/TLS streams, then what the user agent reads from a parsed
/// message or from a rejected one's partial message: Via, From/To, Call-ID, CSeq, Max-Forwards, Contact,
/// Content-Type, the Request-URI, the SDP body part, the §8.2 checks, the transaction key and the stateless
/// response it sends back.
/// </summary>
internal static class SipTarget
{
    private static readonly SipParserLimits Limits = new();

    // Caps a few hundred bytes long reach the limit checks with inputs of the size a fuzzer works with.
    private static readonly SipParserLimits Tight = new(MaxMessageBytes: 700, MaxHeaderCount: 12, MaxLineBytes: 160, MaxBodyBytes: 300);

    // Re-parsing our own serialization: it may legitimately grow (Content-Length added, re-escaped values).
    private static readonly SipParserLimits Relaxed = new(1 << 20, 1000, 1 << 20, 1 << 20);

    private static readonly SipUasPolicy Policy = new SipUserAgentOptions().Policy;

    private static readonly Action<SipMessage, bool> Inspector = Inspect;

    public static void Run(ReadOnlySpan<byte> data)
    {
        // UDP: one datagram, one verdict.
        var result = SipParser.TryParseDatagram(data, Limits, out var message, out var rejection);
        if (result == SipParseResult.Complete)
        {
            if (message is null || rejection is not null)
                throw new InvariantException("datagram Complete without a message, or with a rejection");
            Inspect(message, true);
        }
        else if (result == SipParseResult.Invalid && rejection is not null && message is null)
        {
            CheckRejection(rejection);
            if (rejection.Partial is { } partial)
                Inspect(partial, false);
        }
        else
        {
            throw new InvariantException($"datagram {result} (message {message is not null}, rejection {rejection is not null})");
        }

        // TCP/TLS: all bytes in one read, then the same bytes in many reads. How the bytes were cut must not
        // change any verdict: a difference would let a peer smuggle a message past a proxy that framed it otherwise.
        var whole = SipStreamFeed.Run(data, Limits, [data.Length], Inspector);
        var cut = SipStreamFeed.Run(data, Limits, SipStreamFeed.Plan(data), Inspector);
        Compare(whole, cut);
        SipStreamFeed.Run(data, Tight, SipStreamFeed.Plan(data), Inspector);
    }

    internal static void CheckRejection(SipRejection rejection)
    {
        // The parser's catch-all turns its own exceptions into InternalError: reaching it is a parser defect.
        if (rejection.Reason == SipRejectReason.InternalError)
            throw new InvariantException("the SIP parser reached its catch-all (InternalError): an exception was thrown inside it");
        if (rejection.StatusCode is < 400 or > 699)
            throw new InvariantException($"rejection with status {rejection.StatusCode}");
    }

    private static void Compare(List<SipStreamFeed.Step> whole, List<SipStreamFeed.Step> cut)
    {
        for (var i = 0; i < Math.Max(whole.Count, cut.Count); i++)
        {
            var a = i < whole.Count ? whole[i] : default;
            var b = i < cut.Count ? cut[i] : default;
            if (a != b)
                throw new InvariantException($"stream step {i} depends on how the bytes were cut: one read gave {a}, several reads gave {b}");
        }
    }

    // What SipUserAgent reads from a message (HandleRequest, HandleResponse, OnRejected, TrySendStateless).
    private static void Inspect(SipMessage m, bool complete)
    {
        var vias = m.Vias;
        foreach (var via in vias)
        {
            _ = (via.Transport, via.Host, via.Port, via.Branch, via.Received, via.HasRPort, via.RPort, via.ToString());
            // StampReceived: our rewrite of the top Via must still be a Via the peer (and we) can parse.
            var stamped = via.WithReceived("192.0.2.1", via.HasRPort ? 5060 : null);
            if (!SipVia.TryParse(stamped.ToString(), out _))
                throw new InvariantException($"a received/rport-stamped Via does not parse: {stamped}");
        }
        _ = (m.From?.ToString(), m.From?.Tag, m.From?.DisplayName, m.From?.Uri.User);
        _ = (m.To?.ToString(), m.To?.Tag, m.To?.Uri.Host);
        _ = (m.CallId, m.CSeq, m.MaxForwards, m.ContentType, m.Contact?.Uri.ToString(), m.RequestUri?.ToString());
        _ = m.Headers.SplitValues("Require");
        if (SipBody.TryGetPart(m, "application/sdp", out var sdp) && sdp.Length > m.Body.Length)
            throw new InvariantException("the SDP part is longer than the body");

        if (complete && (vias.Count == 0 || m.CSeq is null || m.CallId is null || m.From is null || m.To is null))
            throw new InvariantException("a Complete message lacks a view the parser guarantees (Via, CSeq, Call-ID, From, To)");
        if (complete)
            CheckInPlace(m, vias);

        if (m.IsRequest)
        {
            SipRequestValidator.Validate(m, Policy)?.ToArray();
            _ = SipTransactionKeys.ForServer(m, m.Method);
            // The stateless answer: to a rejected request when CanAnswer, to a complete one that fails later.
            if (vias.Count > 0 && m.Headers.Contains("From") && m.Headers.Contains("To")
                && m.Headers.Contains("Call-ID") && m.Headers.Contains("CSeq") && m.Method != "ACK")
            {
                var response = SipUserAgent.CreateResponse(m, 400, "Bad Request", m.To is { Tag: null } ? "fuzz1" : null).ToArray();
                if (complete)
                    ExpectComplete(response, "our response to it");
            }
        }
        if (complete)
            ExpectComplete(m.ToArray(), "its re-serialization");
    }

    // The user agent matches on values read in place (no strings): they must be what the typed views say. Then the
    // top Via is stamped as a request's is on arrival, and must still read the same way.
    private static void CheckInPlace(SipMessage m, IReadOnlyList<SipVia> vias)
    {
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        if (!m.TryReadTopVia(scratch, out var top) || top.Branch.ToString() != (vias[0].Branch ?? "") || top.Port != vias[0].Port
            || !top.Host.SequenceEqual(vias[0].Host) || top.HasRPort != vias[0].HasRPort)
            throw new InvariantException("the top Via read in place differs from Vias[0]");
        if (!m.TryReadAddress("From", scratch, out var from) || from.Tag.ToString() != (m.From!.Tag ?? ""))
            throw new InvariantException("the From tag read in place differs from From.Tag");
        if (!m.TryReadAddress("To", scratch, out var to) || to.Tag.ToString() != (m.To!.Tag ?? ""))
            throw new InvariantException("the To tag read in place differs from To.Tag");
        if (!m.TryReadFirst("Call-ID", scratch, out var callId) || !callId.SequenceEqual(m.CallId))
            throw new InvariantException("the Call-ID read in place differs from CallId");
        var key = SipTransactionKeys.ForServer(m, m.IsRequest ? m.Method : m.CSeq!.Value.Method);
        m.Headers.StampTopVia(System.Net.IPAddress.Parse("192.0.2.1"), top.HasRPort ? 5060 : null);
        if (m.Vias.Count != vias.Count || m.Vias[0].Received != "192.0.2.1")
            throw new InvariantException("the stamped top Via does not read back with received");
        if (SipTransactionKeys.ForServer(m, m.IsRequest ? m.Method : m.CSeq!.Value.Method) != key)
            throw new InvariantException("stamping the top Via changed the transaction key");
    }

    // What we write from a message we accepted must be a message we (and so a peer) accept again.
    private static void ExpectComplete(byte[] bytes, string what)
    {
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(bytes), Relaxed, out _, out var rejection, out _, out _);
        if (result != SipParseResult.Complete)
            throw new InvariantException($"{what} does not parse back ({result}: {rejection?.ReasonPhrase}):\n{System.Text.Encoding.UTF8.GetString(bytes)}");
    }
}
