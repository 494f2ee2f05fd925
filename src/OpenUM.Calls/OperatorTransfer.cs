using Microsoft.Extensions.Logging;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Directory;

namespace OpenUM.Calls;

/// <summary>What became of a 0 pressed during the greeting.</summary>
public enum OperatorTransferResult
{
    /// <summary>The dial plan has no operator (2071): the caller was told so.</summary>
    NoOperator,
    /// <summary>The outdialing rules refused the operator's number (2072, and the engine's 1076 or 1310): nothing was sent.</summary>
    Refused,
    /// <summary>The REFER was refused or failed and the caller is still on the line (2070).</summary>
    Failed,
    /// <summary>The line is no longer ours: transferred, or the caller hung up meanwhile (2070).</summary>
    LineGone,
}

/// <summary>One call's 0 key: the call, who called and how a dial string is transferred.</summary>
/// <param name="Transfer">Transfers the caller to an allowed dial string (the call's <see cref="BlindTransfer"/>).</param>
/// <param name="Gateway">The gateway the REFER goes to (the one the call came in on), for the event.</param>
public sealed record OperatorTransferCall(ConfigurationSnapshot Configuration, DialPlan DialPlan, string CallId, string Extension,
    string CallerId, Func<string, Task<TransferOutcome>> Transfer, string Gateway);

/// <summary>
/// 0 during a mailbox's greeting, as Exchange's call answering: the caller is transferred to the dial plan's
/// OperatorExtension ("Transferring your call", then a blind transfer by REFER). The number still goes through the
/// outdialing engine with the dial plan's restrictions (the caller has not logged on), so an operator the rules refuse
/// is never called (1076, "that number cannot be called"); the REFER names the dial string the engine produced.
/// Exchange keeps the operator on the dial plan and the auto attendant (UM mailbox policies have none), and so does
/// this server. Whatever does not end in a transfer leaves the caller on the line to leave a message.
/// </summary>
public sealed class OperatorTransfer(ISubscriberLine line, PromptLibrary prompts, OutdialingEngine engine, ILogger logger)
{
    /// <summary>The operator a caller of a mailbox of <paramref name="dialPlan"/> reaches with 0, or null when there is none.</summary>
    public static string? OperatorOf(DialPlan dialPlan) =>
        string.IsNullOrWhiteSpace(dialPlan.OperatorExtension) ? null : dialPlan.OperatorExtension.Trim();

    /// <summary>
    /// The outdialing check of the operator's number: the dial plan's restrictions (an unauthenticated caller), the number
    /// entered by the administrator, and the caller ID as the rate limit's key (the engine's shared key for anonymous callers).
    /// </summary>
    public static OutdialingRequest Request(ConfigurationSnapshot configuration, DialPlan dialPlan, string @operator, string callerId) => new()
    {
        Configuration = configuration,
        DialPlan = dialPlan,
        Restrictions = OutdialingRestrictions.ForDialPlan(dialPlan),
        Number = @operator,
        Source = OutdialingTargetSource.Entered,
        User = callerId is { Length: > 0 } and not "Anonymous" ? $"caller {callerId}" : null,
    };

    /// <summary>Checks, announces and transfers; the prompts say what happened. Hang-up cancels it.</summary>
    public async Task<OperatorTransferResult> RunAsync(OperatorTransferCall call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        string plan = call.DialPlan.Name;
        if (OperatorOf(call.DialPlan) is not { } @operator)
        {
            CallEvents.OperatorUnavailable(logger, call.CallId, call.Extension, plan);
            await line.PlayAsync(prompts.NoOperator, ct).ConfigureAwait(false);
            return OperatorTransferResult.NoOperator;
        }

        var decision = engine.Authorize(Request(call.Configuration, call.DialPlan, @operator, call.CallerId));
        if (!decision.Allowed || decision.DialedNumber is not { } dialed)
        {
            CallEvents.OperatorTransferRefused(logger, call.CallId, call.Extension, plan, @operator, decision.ReasonCode.ToString(), decision.Reason);
            await line.PlayAsync(prompts.Subscriber.CannotCall, ct).ConfigureAwait(false);
            return OperatorTransferResult.Refused;
        }

        await line.PlayAsync(prompts.Subscriber.TransferringCall, ct).ConfigureAwait(false);
        var transfer = await call.Transfer(dialed).ConfigureAwait(false);
        CallEvents.OperatorTransfer(logger, call.CallId, call.Extension, plan, @operator, dialed, call.Gateway, transfer.Outcome);
        if (transfer.LineGone) return OperatorTransferResult.LineGone;
        await line.PlayAsync(prompts.Subscriber.TransferFailed, ct).ConfigureAwait(false);
        return OperatorTransferResult.Failed;
    }
}
