using System.Globalization;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transactions;

// Transaction identification, RFC 3261 §17.1.3 (client) and §17.2.3 (server).
internal static class SipTransactionKeys
{
    // Server side: branch + sent-by + method, where ACK (for a non-2xx) matches its INVITE. Requests from
    // RFC 2543 peers (no magic cookie) fall back to Call-ID, From tag, CSeq number and top Via.
    public static string? ForServer(SipMessage request, SipVia top) => ForServer(request, top, request.Method);

    public static string? ForServer(SipMessage request, SipVia top, string method)
    {
        if (string.Equals(method, "ACK", StringComparison.Ordinal)) method = "INVITE";
        var branch = top.Branch;
        if (branch is not null && branch.StartsWith(SipIds.MagicCookie, StringComparison.Ordinal))
        {
            return string.Concat(branch, "\n", top.Host.ToLowerInvariant(), ":",
                top.Port?.ToString(CultureInfo.InvariantCulture) ?? "", "\n", method);
        }
        var cseq = request.CSeq;
        if (cseq is null || request.CallId is null) return null;
        return string.Concat("2543\n", request.CallId, "\n", request.From?.Tag ?? "", "\n",
            cseq.Value.Number.ToString(CultureInfo.InvariantCulture), "\n", top.Host.ToLowerInvariant(), ":",
            top.Port?.ToString(CultureInfo.InvariantCulture) ?? "", "\n", method);
    }

    // Client side: the branch we generated + the CSeq method (so the CANCEL, sharing the INVITE's
    // branch, is a different transaction).
    public static string ForClient(string branch, string method) => string.Concat(branch, "\n", method);
}
