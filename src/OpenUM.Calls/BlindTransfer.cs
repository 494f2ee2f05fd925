using System.Globalization;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls;

/// <summary>What a blind transfer came to: whether the line is still ours, and the outcome as the events say it.</summary>
public readonly record struct TransferOutcome(bool LineGone, string Outcome);

/// <summary>
/// A blind transfer as Exchange UM did it (RFC 3515): an in-dialog REFER to the gateway the call came in on, whose
/// Refer-To is sip:&lt;dial string&gt;@&lt;that gateway&gt;, so the gateway places the new call and the server leaves the
/// media path. Used by subscriber access (call the sender back), the keys of the greeting (0: the operator) and auto attendants.
/// </summary>
internal sealed class BlindTransfer(SipDialog dialog, IpGateway gateway, DialPlan dialPlan, CancellationToken shutdown)
{
    // How long the referred call may take to report a final status (ringing included) before we give up on it.
    private static readonly TimeSpan TransferLimit = TimeSpan.FromSeconds(90);

    /// <summary>Transfers the caller to <paramref name="dialed"/> (a dial string the outdialing engine allowed); never throws for a refusal.</summary>
    public async Task<TransferOutcome> RunAsync(string dialed)
    {
        // A REFER asks this gateway to place an outbound call: not when the administrator forbade outcalls through it.
        if (!gateway.OutcallsAllowed) return new(false, $"Failed: gateway '{gateway.Name}' does not allow outcalls");
        if (Target(dialed) is not { } target) return new(false, $"Failed: '{dialed}' at {gateway.Address} is not a SIP URI");

        // Not cancelled by the caller's hang-up: the REFER transaction ends by itself (response or Timer F).
        var referring = dialog.ReferAsync(target, shutdown);
        await Task.WhenAny(referring, dialog.Terminated).ConfigureAwait(false);
        if (!referring.IsCompleted) return new(true, $"Failed: the caller hung up before the REFER to {target} was answered");
        SipReferResult refer;
        try { refer = await referring.ConfigureAwait(false); }
        catch (OperationCanceledException) { return new(true, "Failed: the server is shutting down"); }
        if (!refer.Accepted)
            return new(dialog.Terminated.IsCompleted, string.Create(CultureInfo.InvariantCulture, $"Failed: REFER to {target} answered {refer.StatusCode} {refer.ReasonPhrase}"));

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        limit.CancelAfter(TransferLimit);
        await Task.WhenAny(refer.Outcome, dialog.Terminated, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false);
        if (refer.Outcome.IsCompletedSuccessfully && refer.Outcome.Result is { IsFinal: true } final)
        {
            return final.Succeeded
                ? new(true, $"Transferred to {target}: the referred call reported {final.StatusCode} {final.ReasonPhrase}")
                : new(dialog.Terminated.IsCompleted, $"Failed: the referred call to {target} reported {final.StatusCode} {final.ReasonPhrase}");
        }
        if (dialog.Terminated.IsCompleted)
            return new(true, $"Transferred to {target}: the gateway accepted the REFER and hung up (last progress {Describe(refer.Outcome)})");
        // The gateway ended the subscription without a final status: it will not say more, the call is its own now.
        if (refer.Outcome.IsCompleted)
            return new(true, $"Transferred to {target}: the gateway accepted the REFER (last progress {Describe(refer.Outcome)})");
        return new(false, $"Failed: no final NOTIFY for the REFER to {target} within {TransferLimit.TotalSeconds:0} s");
    }

    private static string Describe(Task<SipReferProgress> outcome) =>
        outcome.IsCompletedSuccessfully && outcome.Result.StatusCode != 0 ? $"{outcome.Result.StatusCode} {outcome.Result.ReasonPhrase}" : "none";

    /// <summary>
    /// sip:&lt;dial string&gt;@&lt;gateway address&gt;:&lt;port&gt;;transport=&lt;the call's transport&gt;: the gateway's
    /// configured address and port (5060, or 5061 for a secured dial plan, when none is set), so the gateway
    /// routes the new call itself; null when that makes no SIP URI.
    /// </summary>
    internal SipUri? Target(string dialed)
    {
        string host = gateway.Address.Contains(':', StringComparison.Ordinal) && !gateway.Address.StartsWith('[') ? $"[{gateway.Address}]" : gateway.Address;
        string transport = dialog.Connection.Transport switch
        {
            SipTransportKind.Udp => "udp",
            SipTransportKind.Tls => "tls",
            _ => "tcp",
        };
        int port = gateway.EffectivePort(dialPlan.IsSecured);
        string text = string.Create(CultureInfo.InvariantCulture, $"sip:{dialed}@{host}:{port};transport={transport}");
        return dialed.Length > 0 && dialed.All(c => char.IsAsciiDigit(c) || c is '+' or '*') && SipUri.TryParse(text, out var uri) ? uri : null;
    }
}
