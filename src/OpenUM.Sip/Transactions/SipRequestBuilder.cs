using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transactions;

// Requests the stack builds from other messages.
internal static class SipRequestBuilder
{
    // RFC 3261 §17.1.1.3: the ACK for a 300-699 final uses the INVITE's Request-URI, Call-ID, From,
    // CSeq number, top Via only and Route headers, and the response's To (with its tag).
    public static SipMessage AckForNonSuccess(SipMessage invite, SipMessage response)
    {
        var ack = SipMessage.CreateRequest("ACK", invite.RequestUri!);
        var vias = invite.Headers.SplitValues("Via");
        ack.Headers.Set("Via", vias[0]);
        ack.Headers.Set("Max-Forwards", "70");
        CopyFirst(invite, ack, "From");
        CopyFirst(response, ack, "To");
        CopyFirst(invite, ack, "Call-ID");
        ack.Headers.Set("CSeq", invite.CSeq!.Value.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ACK");
        foreach (var route in invite.Headers.GetAll("Route")) ack.Headers.Add("Route", route);
        return ack;
    }

    // RFC 3261 §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number and the single top Via
    // (same branch) and Route headers of the INVITE.
    public static SipMessage Cancel(SipMessage invite)
    {
        var cancel = SipMessage.CreateRequest("CANCEL", invite.RequestUri!);
        var vias = invite.Headers.SplitValues("Via");
        cancel.Headers.Set("Via", vias[0]);
        cancel.Headers.Set("Max-Forwards", "70");
        CopyFirst(invite, cancel, "From");
        CopyFirst(invite, cancel, "To");
        CopyFirst(invite, cancel, "Call-ID");
        cancel.Headers.Set("CSeq", invite.CSeq!.Value.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " CANCEL");
        foreach (var route in invite.Headers.GetAll("Route")) cancel.Headers.Add("Route", route);
        return cancel;
    }

    private static void CopyFirst(SipMessage from, SipMessage to, string name)
    {
        var value = from.Headers.Get(name);
        if (value is not null) to.Headers.Set(name, value);
    }
}
