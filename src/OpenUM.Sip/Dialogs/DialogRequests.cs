using System.Globalization;
using System.Net;
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

    // A dialog usage whose connection closed reuses or opens one to the next hop on the same transport (the
    // agent bounds it by 64*T1, like the transaction it is for). Null when that fails: the failure is logged
    // with the usage's description ("dialog <Call-ID>", "subscription <Call-ID>") since no connection id exists yet.
    public static async Task<SipConnection?> ConnectNextHopAsync(SipUserAgent agent, SipUri hop, SipConnection old,
        string description, IPEndPoint loggedRemote)
    {
        try
        {
            return await agent.ConnectToAsync(hop, old.Info.Transport).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SipLog.ConnectionFailed(agent.Logger, ex, description, loggedRemote);
            return null;
        }
    }

    // Caller holds its lock and the usage still lives: it moves to the new connection unless another request
    // already did, and moves its use count along so the idle timer keeps the new connection while it lives.
    public static void Adopt(ref SipConnection current, SipConnection old, SipConnection connection)
    {
        if (!ReferenceEquals(current, old) || ReferenceEquals(old, connection)) return;
        current = connection;
        connection.AddUser();
        old.RemoveUser();
    }

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
