using System.Globalization;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

// Requests inside the subscription's dialog: refresh and unsubscribe (RFC 6665 §4.2.1.2, §4.2.1.3).
public sealed partial class SipSubscription
{
    internal void OnRequest(SipMessage request, SipTransaction tx, SipConnection connection)
    {
        var cseq = request.CSeq!.Value.Number;
        lock (_sync)
        {
            // Once the final NOTIFY is decided the dialog is going away; a late refresh finds nothing to refresh.
            if (_ended != 0 || _finalReason is not null)
            {
                Respond(tx, request, 481, "Subscription Does Not Exist");
                return;
            }
            // RFC 3261 §12.2.2: a lower CSeq than the last one is out of order.
            if (cseq < _remoteCSeq)
            {
                Respond(tx, request, 500, "CSeq Out of Order");
                return;
            }
            _remoteCSeq = cseq;
        }
        if (request.Method == "OPTIONS")
        {
            var ok = SipUserAgent.CreateResponse(request, 200, null, null);
            _agent.AddCapabilities(ok);
            SipUserAgent.SendFinal(tx, ok);
            return;
        }
        if (request.Method != "SUBSCRIBE")
        {
            // This dialog has no session: only the subscription's own requests belong in it.
            var refused = SipUserAgent.CreateResponse(request, 405, "Method Not Allowed", null);
            refused.Headers.Set("Allow", "SUBSCRIBE, OPTIONS");
            SipUserAgent.SendFinal(tx, refused);
            return;
        }
        if (!_agent.CheckSubscribe(tx, connection, request, null, _event, out _, out var granted)) return;

        var response = SipUserAgent.CreateResponse(request, 200, null, null);
        response.Headers.Set("Expires", ((long)granted.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        response.Headers.Set("Contact", _agent.ContactFor(connection, _contactUser));
        if (granted <= TimeSpan.Zero)
        {
            // Unsubscribe: 200, then the final NOTIFY with the last state (§4.2.1.3).
            MarkFinal("timeout", SipSubscriptionEndReason.Unsubscribed);
            SipUserAgent.SendFinal(tx, response);
        }
        else
        {
            lock (_sync)
            {
                Arm(granted);
                // §12.2.2: SUBSCRIBE is a target refresh request.
                if (request.Contact?.Uri is { } target) _remoteTarget = target;
            }
            SipUserAgent.SendFinal(tx, response);
        }
        // Either way a NOTIFY follows at once (§4.2.1.2): the state as last notified.
        _ = SendNextAsync(CancellationToken.None);
    }

    // The user agent shuts down: nothing can be sent any more.
    internal void OnShutdown() => End(SipSubscriptionEndReason.Shutdown);

    private static void Respond(SipTransaction tx, SipMessage request, int status, string? reason) =>
        SipUserAgent.SendFinal(tx, SipUserAgent.CreateResponse(request, status, reason, null));
}
