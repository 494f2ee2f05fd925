using System.Globalization;
using OpenUM.Calls.Outdialing;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.SubscriberAccess;

// Call the sender back (CALL-2, key 5) as Exchange UM did it: a blind transfer with REFER (RFC 3515). The gateway
// the call came in on places the outbound call to the dial string and the server leaves the media path.
internal sealed partial class SubscriberAccessCall
{
    // How long the referred call may take to report a final status (ringing included) before we give up on it.
    private static readonly TimeSpan TransferLimit = TimeSpan.FromSeconds(90);

    /// <summary>Transfers the caller to the allowed dial string; true when the line is no longer ours (event 2033 either way).</summary>
    private async Task<bool> TransferCallBackAsync(Mailbox mailbox, StoredMessage message, OutdialingDecision decision, CancellationToken ct)
    {
        string dialed = decision.DialedNumber ?? message.CallerId;
        var (lineGone, outcome) = await TransferAsync(dialed).ConfigureAwait(false);
        CallEvents.CallBackTransfer(_s.Logger, CallId, mailbox.Extension, _dialPlan.Name, message.Id, dialed, _gateway.Name, outcome);
        return lineGone;
    }

    private async Task<(bool LineGone, string Outcome)> TransferAsync(string dialed)
    {
        // A REFER asks this gateway to place an outbound call: not when the administrator forbade outcalls through it.
        if (!_gateway.OutcallsAllowed) return (false, $"Failed: gateway '{_gateway.Name}' does not allow outcalls");
        if (ReferTarget(dialed) is not { } target) return (false, $"Failed: '{dialed}' at {_gateway.Address} is not a SIP URI");

        // Not cancelled by the caller's hang-up: the REFER transaction ends by itself (response or Timer F).
        var referring = _dialog.ReferAsync(target, _shutdown);
        await Task.WhenAny(referring, _dialog.Terminated).ConfigureAwait(false);
        if (!referring.IsCompleted) return (true, $"Failed: the caller hung up before the REFER to {target} was answered");
        SipReferResult refer;
        try { refer = await referring.ConfigureAwait(false); }
        catch (OperationCanceledException) { return (true, "Failed: the server is shutting down"); }
        if (!refer.Accepted)
            return (_dialog.Terminated.IsCompleted, string.Create(CultureInfo.InvariantCulture, $"Failed: REFER to {target} answered {refer.StatusCode} {refer.ReasonPhrase}"));

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        limit.CancelAfter(TransferLimit);
        await Task.WhenAny(refer.Outcome, _dialog.Terminated, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false);
        if (refer.Outcome.IsCompletedSuccessfully && refer.Outcome.Result is { IsFinal: true } final)
        {
            return final.Succeeded
                ? (true, $"Transferred to {target}: the referred call reported {final.StatusCode} {final.ReasonPhrase}")
                : (_dialog.Terminated.IsCompleted, $"Failed: the referred call to {target} reported {final.StatusCode} {final.ReasonPhrase}");
        }
        if (_dialog.Terminated.IsCompleted)
            return (true, $"Transferred to {target}: the gateway accepted the REFER and hung up (last progress {Describe(refer.Outcome)})");
        // The gateway ended the subscription without a final status: it will not say more, the call is its own now.
        if (refer.Outcome.IsCompleted)
            return (true, $"Transferred to {target}: the gateway accepted the REFER (last progress {Describe(refer.Outcome)})");
        return (false, $"Failed: no final NOTIFY for the REFER to {target} within {TransferLimit.TotalSeconds:0} s");
    }

    private static string Describe(Task<SipReferProgress> outcome) =>
        outcome.IsCompletedSuccessfully && outcome.Result.StatusCode != 0 ? $"{outcome.Result.StatusCode} {outcome.Result.ReasonPhrase}" : "none";

    /// <summary>
    /// sip:&lt;dial string&gt;@&lt;gateway address&gt;:&lt;port&gt;;transport=&lt;the call's transport&gt;: the gateway's
    /// configured address and port (5060, or 5061 for a secured dial plan, when none is set), so the gateway
    /// routes the new call itself; null when that makes no SIP URI.
    /// </summary>
    internal SipUri? ReferTarget(string dialed)
    {
        string host = _gateway.Address.Contains(':', StringComparison.Ordinal) && !_gateway.Address.StartsWith('[') ? $"[{_gateway.Address}]" : _gateway.Address;
        string transport = _dialog.Connection.Transport switch
        {
            SipTransportKind.Udp => "udp",
            SipTransportKind.Tls => "tls",
            _ => "tcp",
        };
        int port = _gateway.EffectivePort(_dialPlan.IsSecured);
        string text = string.Create(CultureInfo.InvariantCulture, $"sip:{dialed}@{host}:{port};transport={transport}");
        return dialed.Length > 0 && dialed.All(c => char.IsAsciiDigit(c) || c is '+' or '*') && SipUri.TryParse(text, out var uri) ? uri : null;
    }
}
