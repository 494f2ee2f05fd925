using OpenUM.Calls.Outdialing;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;

namespace OpenUM.Calls.SubscriberAccess;

// Call the sender back (CALL-2, key 5) as Exchange UM did it: a blind transfer with REFER (RFC 3515). The gateway
// the call came in on places the outbound call to the dial string and the server leaves the media path.
internal sealed partial class SubscriberAccessCall
{
    /// <summary>Transfers the caller to the allowed dial string; true when the line is no longer ours (event 2033 either way).</summary>
    private async Task<bool> TransferCallBackAsync(Mailbox mailbox, StoredMessage message, OutdialingDecision decision, CancellationToken ct)
    {
        string dialed = decision.DialedNumber ?? message.CallerId;
        var transfer = await new BlindTransfer(_dialog, _gateway, _dialPlan, _shutdown).RunAsync(dialed).ConfigureAwait(false);
        CallEvents.CallBackTransfer(_s.Logger, CallId, mailbox.Extension, _dialPlan.Name, message.Id, dialed, _gateway.Name, transfer.Outcome);
        return transfer.LineGone;
    }
}
