using System.CommandLine;
using System.Text.Json;
using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.Directory.Dialing;

namespace OpenUM.Management;

/// <summary>`openum outdialing test`: the what-if an operator runs before going live (OUT-2/3).</summary>
internal static class OutdialingCommand
{
    public static Command Create()
    {
        var dialPlan = new Option<string>("--dial-plan") { Description = "Dial plan whose access codes and groups apply", Required = true };
        var policy = new Option<string?>("--mailbox-policy") { Description = "Check as a user of this mailbox policy (logged-on callers); without it the dial plan's own restrictions apply" };
        var number = new Option<string>("--number") { Description = "The number to dial, e.g. 0612345678, +442079460000 or 1234", Required = true };
        var callerId = new Option<bool>("--caller-id") { Description = "The number is a caller ID being called back (untrusted: no international call-back)" };
        var deny = new Option<string[]>("--deny-prefix") { Description = "Extra denied prefix, +digits (E.164) or national digits, checked before any rule (repeat the option for several)" };
        var command = new Command("test",
            "Show how a number would be classified and dialled, and whether it is allowed. Exit code 0 = allowed, 1 = denied.\n"
            + "Example: openum outdialing test --dial-plan Contoso --number +442079460000 --json")
        {
            dialPlan, policy, number, callerId, deny,
        };
        command.SetAction(result => CliContext.Run(result, (store, _) =>
        {
            var configuration = store.Load();
            var plan = configuration.FindDialPlan(result.GetValue(dialPlan)!)
                ?? throw new ConfigurationValidationException(ConfigurationFields.DialPlan, $"dial plan '{result.GetValue(dialPlan)}' does not exist (list them with: openum dialplan get)");
            OutdialingRestrictions? restrictions = null;
            if (result.GetValue(policy) is { } policyName)
            {
                var mailboxPolicy = configuration.FindMailboxPolicy(policyName)
                    ?? throw new ConfigurationValidationException(ConfigurationFields.MailboxPolicy,
                        $"mailbox policy '{policyName}' does not exist; without --mailbox-policy the dial plan's own restrictions apply");
                if (!string.Equals(mailboxPolicy.DialPlan, plan.Name, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ConfigurationValidationException(ConfigurationFields.MailboxPolicy,
                        $"mailbox policy '{mailboxPolicy.Name}' belongs to dial plan '{mailboxPolicy.DialPlan}', not '{plan.Name}'");
                }

                restrictions = OutdialingRestrictions.ForMailboxPolicy(mailboxPolicy);
            }

            // A prefix that is not digits would never match: refused rather than silently ignored.
            if ((result.GetValue(deny) ?? []).FirstOrDefault(p => !System.Text.RegularExpressions.Regex.IsMatch(p, @"^\+?[0-9]{1,15}$")) is { } badPrefix)
                throw new CliException($"--deny-prefix: '{badPrefix}' is not a prefix: give +digits (E.164) or national digits, e.g. +1900 or 0899.");
            var options = new OutdialingOptions { DenyPrefixes = [.. OutdialingOptions.DefaultDenyPrefixes, .. result.GetValue(deny) ?? []] };
            var decision = OutdialingEngine.Evaluate(new OutdialingRequest
            {
                Configuration = configuration,
                DialPlan = plan,
                Restrictions = restrictions,
                Number = result.GetValue(number)!,
                Source = result.GetValue(callerId) ? OutdialingTargetSource.CallerId : OutdialingTargetSource.Entered,
            }, options);
            if (decision.Allowed)
            {
                decision = OutdialingEngine.SelectGateway(configuration, plan) is { } gateway
                    ? decision with { Gateway = gateway.Name }
                    : decision with
                    {
                        Allowed = false,
                        ReasonCode = OutdialingReason.NoOutboundGateway,
                        Reason = $"the rules allow it, but dial plan '{plan.Name}' has no enabled IP gateway with OutcallsAllowed (event 1310)",
                    };
            }

            Print(result, plan, result.GetValue(number)!, decision);
            return decision.Allowed ? 0 : 1;
        }));
        return new Command("outdialing", "Check outbound dialing restrictions.") { command };
    }

    /// <summary>Reads the values of a repeated dialing-rule option, each Name,NumberMask,DialedNumber[,Comment]; errors name the option.</summary>
    public static IReadOnlyList<DialingRuleEntry> ParseEntries(string field, string[] values)
    {
        var entries = new List<DialingRuleEntry>();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Length > 0)
            {
                entries.Add(DialingRuleEntry.TryParse(values[i], out var error)
                    ?? throw new ConfigurationValidationException(field, $"value {i + 1}: {error}"));
            }
        }

        return entries;
    }

    /// <summary>
    /// Reads a CSV file with the column headers Name, NumberMask, DialedNumber[, Comment] (what Exchange
    /// admins passed from Import-Csv); errors name the option and the line.
    /// </summary>
    public static IReadOnlyList<DialingRuleEntry> ReadCsv(string field, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationValidationException(field, $"cannot read {path}: {e.Message}");
        }

        return DialingRuleCsv.TryParse(text, out var entries, out var error)
            ? entries
            : throw new ConfigurationValidationException(field, $"{path}: {error}");
    }

    /// <summary>Allowed group names; an empty value clears the list.</summary>
    public static IReadOnlyList<string> ParseNames(string[] values) => values.Where(v => v.Length > 0).Select(v => v.Trim()).ToArray();

    private static void Print(ParseResult result, DialPlan plan, string number, OutdialingDecision d)
    {
        if (result.GetValue(CliContext.JsonOption))
        {
            CommandConsole.Out.WriteLine(JsonSerializer.Serialize(new
            {
                allowed = d.Allowed,
                kind = d.Kind?.ToString(),
                number = d.Number,
                group = d.Group,
                rule = d.Rule,
                dialedNumber = d.DialedNumber,
                gateway = d.Gateway,
                reasonCode = d.ReasonCode.ToString(),
                reason = d.Reason,
            }, CliContext.Json));
            return;
        }

        CommandConsole.Out.WriteLine($"Number         : {number}");
        CommandConsole.Out.WriteLine($"Classification : {(d.Kind is { } kind ? $"{kind} {d.Number}" : "not a number")} (dial plan {plan.Name})");
        CommandConsole.Out.WriteLine($"Group          : {d.Group ?? "-"}");
        CommandConsole.Out.WriteLine($"Rule           : {d.Rule ?? "-"}");
        CommandConsole.Out.WriteLine($"Dial string    : {d.DialedNumber ?? "-"}");
        CommandConsole.Out.WriteLine($"Gateway        : {d.Gateway ?? "-"}");
        CommandConsole.Out.WriteLine($"Result         : {(d.Allowed ? "Allowed" : "Denied")} ({d.ReasonCode}): {d.Reason}");
    }
}
