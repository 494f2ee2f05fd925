using System.Globalization;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

// What every dialog usage (INVITE session, subscription) does the same way: a request built from the dialog
// state (RFC 3261 §12.2.1.1) and the next hop it goes to (§12.2.1.1, §18.1.1).
internal static class DialogRequests
{
    // Request-URI and Route from the remote target and route set (loose or strict routing). The Via names the
    // connection the request goes out on.
    public static (SipMessage Request, string Branch) Build(string method, uint cseq, SipConnection connection, string callId,
        string localHeader, string remoteHeader, SipUri remoteTarget, IReadOnlyList<string> routeSet, string userAgent)
    {
        var strict = routeSet.Count > 0 && !IsLooseRoute(routeSet[0]);
        var requestUri = strict && SipNameAddress.TryParse(routeSet[0], out var first) && first is not null ? first.Uri : remoteTarget;
        var request = SipMessage.CreateRequest(method, requestUri);
        var branch = SipIds.NewBranch();
        var h = request.Headers;
        h.Set("Via", SipUserAgent.ViaFor(connection, branch));
        h.Set("Max-Forwards", "70");
        h.Set("From", localHeader);
        h.Set("To", remoteHeader);
        h.Set("Call-ID", callId);
        h.Set("CSeq", cseq.ToString(CultureInfo.InvariantCulture) + " " + method);
        for (var i = strict ? 1 : 0; i < routeSet.Count; i++) h.Add("Route", routeSet[i]);
        if (strict) h.Add("Route", "<" + remoteTarget + ">");
        h.Set("User-Agent", userAgent);
        return (request, branch);
    }

    // Where a request goes when the dialog's connection is gone: the first route, else the remote target.
    public static SipUri NextHop(IReadOnlyList<string> routeSet, SipUri remoteTarget) =>
        routeSet.Count > 0 && SipNameAddress.TryParse(routeSet[0], out var route) && route is not null ? route.Uri : remoteTarget;

    private static bool IsLooseRoute(string route)
    {
        if (!SipNameAddress.TryParse(route, out var address) || address is null) return true;
        foreach (var p in address.Uri.Parameters)
        {
            if (string.Equals(p.Key, "lr", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
