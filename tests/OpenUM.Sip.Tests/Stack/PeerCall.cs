using System.Net;
using System.Text;

namespace OpenUM.Sip.Tests.Stack;

// One call as a gateway would place it, written as SIP text (RFC 3261 §24 style messages).
internal sealed class PeerCall
{
    public const string Offer =
        "v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

    private readonly IPEndPoint _peer;
    private readonly IPEndPoint _target;

    public PeerCall(IPEndPoint peer, IPEndPoint target, string user = "4000")
    {
        _peer = peer;
        _target = target;
        User = user;
    }

    public string User { get; }
    public string Transport { get; init; } = "TCP";
    public bool RPort { get; init; }
    public string CallId { get; } = "c" + Guid.NewGuid().ToString("N") + "@gw.test";
    public string FromTag { get; } = "ft" + Guid.NewGuid().ToString("N")[..8];
    public string InviteBranch { get; private set; } = NewBranch();
    public string? ToTag { get; set; }
    public int CSeq { get; private set; } = 101;
    public string RequestUri => $"sip:{User}@{_target.Address}:{_target.Port}";
    public string From => $"\"Caller\" <sip:2000@{_peer.Address}>;tag={FromTag}";
    public string To => ToTag is null ? $"<sip:{User}@{_target.Address}>" : $"<sip:{User}@{_target.Address}>;tag={ToTag}";

    public static string NewBranch() => "z9hG4bK" + Guid.NewGuid().ToString("N")[..16];

    public string Invite(string body = Offer, string? branch = null)
    {
        InviteBranch = branch ?? InviteBranch;
        return Req("INVITE", RequestUri, InviteBranch, CSeq, body, $"Contact: <sip:2000@{_peer.Address}:{_peer.Port};transport={Transport.ToLowerInvariant()}>");
    }

    // A new in-dialog request (next CSeq, new branch).
    public string InDialog(string method, string requestUri, string body = "", params string[] extra)
    {
        CSeq++;
        return Req(method, requestUri, NewBranch(), CSeq, body, extra);
    }

    // ACK for a 2xx: its own transaction (§13.2.2.4), CSeq number of the INVITE.
    public string AckFor2xx(string requestUri, int inviteCSeq) => Request("ACK", requestUri, NewBranch(), inviteCSeq, "", [], "ACK");

    // ACK for a non-2xx: same branch as the INVITE (§17.1.1.3).
    public string AckForFailure() => Request("ACK", RequestUri, InviteBranch, CSeq, "", [], "ACK");

    public string Cancel() => Request("CANCEL", RequestUri, InviteBranch, CSeq, "", [], "CANCEL");

    public string Request(string method, string requestUri, string branch, int cseq, string body, string[] extra, string? cseqMethod = null)
    {
        var sb = new StringBuilder();
        sb.Append(method).Append(' ').Append(requestUri).Append(" SIP/2.0\r\n");
        sb.Append("Via: SIP/2.0/").Append(Transport).Append(' ').Append(_peer.Address).Append(':').Append(_peer.Port)
            .Append(";branch=").Append(branch).Append(RPort ? ";rport" : "").Append("\r\n");
        sb.Append("Max-Forwards: 70\r\n");
        sb.Append("From: ").Append(From).Append("\r\n");
        sb.Append("To: ").Append(To).Append("\r\n");
        sb.Append("Call-ID: ").Append(CallId).Append("\r\n");
        sb.Append("CSeq: ").Append(cseq).Append(' ').Append(cseqMethod ?? method).Append("\r\n");
        foreach (var e in extra) sb.Append(e).Append("\r\n");
        var typed = Array.Exists(extra, e => e.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase));
        if (body.Length > 0 && !typed) sb.Append("Content-Type: application/sdp\r\n");
        sb.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n\r\n").Append(body);
        return sb.ToString();
    }

    private string Req(string method, string requestUri, string branch, int cseq, string body, params string[] extra) =>
        Request(method, requestUri, branch, cseq, body, extra, null);
}
