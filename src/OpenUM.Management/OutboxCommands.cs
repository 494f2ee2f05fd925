using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenUM.Delivery.Smtp;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>`openum outbox list|retry|purge`: the SMTP outbox of voice messages waiting for the smart host, dead letters included.</summary>
internal static class OutboxCommands
{
    public static Command Create()
    {
        var list = new Command("list", "Show queued voice messages and dead letters.\nExample: openum outbox list --json");
        list.SetAction(result =>
        {
            var outbox = Open(result);
            var entries = outbox.List();
            CliContext.Print(result, entries.Select(e => new Row(e.Item.Id, e.Folder.ToString(), e.Item.Recipient, e.Item.Extension, e.Item.CallerId,
                    e.Item.QueuedAt, e.Item.Attempts, e.Folder == OutboxFolder.Queued ? e.Item.NextAttemptAt : null, e.Item.LastError,
                    e.Item.MessageId, e.SizeBytes)).ToList(),
                ("Id", r => r.Id), ("State", r => r.State), ("Recipient", r => r.Recipient), ("Queued", r => r.QueuedAt.ToString("u")),
                ("Attempts", r => r.Attempts), ("NextAttempt", r => r.NextAttemptAt?.ToString("u")), ("LastError", r => Shorten(r.LastError)));
            return 0;
        });

        var id = new Option<string?>("--id") { Description = "Only this item (see `openum outbox list`)" };
        var retry = new Command("retry", "Send now: queued items are due at once, dead letters go back to the queue.\nExample: openum outbox retry --id 0195...") { id };
        retry.SetAction(async (result, ct) =>
        {
            string? only = result.GetValue(id);
            var outbox = Open(result);
            if (only is not null && !outbox.List().Any(e => e.Item.Id == only))
            {
                CommandConsole.Fail("--id", $"no outbox item {only} (see `openum outbox list`; a delivered or purged item is gone).", notFound: true);
                return 1;
            }
            int n = await outbox.RetryAsync(only, ct).ConfigureAwait(false);
            CommandConsole.Out.WriteLine($"{n} item(s) queued for immediate delivery");
            if (n > 0) Audit(result, logger => DeliveryEvents.Retried(logger, CommandConsole.Actor, n, only is null ? "all" : "id " + only));
            return n == 0 && only is not null ? 1 : 0;
        });

        var purgeId = new Option<string?>("--id") { Description = "Only this item" };
        var queued = new Option<bool>("--include-queued") { Description = "Also delete messages still waiting for delivery (they are lost)" };
        var purge = new Command("purge", "Delete dead letters (and with --include-queued, queued messages).\nExample: openum outbox purge") { purgeId, queued };
        purge.SetAction(result =>
        {
            string? only = result.GetValue(purgeId);
            bool includeQueued = result.GetValue(queued);
            var outbox = Open(result);
            var targets = outbox.List().Where(e => only is null || e.Item.Id == only).ToList();
            if (only is not null && targets.Count == 0)
            {
                CommandConsole.Fail("--id", $"no outbox item {only} (see `openum outbox list`; a delivered or purged item is gone).", notFound: true);
                return 1;
            }
            if (only is not null && !includeQueued && targets.All(e => e.Folder == OutboxFolder.Queued))
            {
                // Refused rather than reported as "0 deleted": the operator named a message that is still to be delivered.
                CommandConsole.Fail("--id", $"outbox item {only} is still queued for delivery, not a dead letter: nothing was deleted. " +
                    "Add --include-queued to delete it anyway (the voice message is then lost).");
                return 1;
            }
            var deleted = targets.Where(e => includeQueued || e.Folder == OutboxFolder.Dead).ToList();
            int n = outbox.Purge(only, includeQueued);
            CommandConsole.Out.WriteLine($"{n} item(s) deleted");
            int kept = includeQueued ? 0 : targets.Count(e => e.Folder == OutboxFolder.Queued);
            if (kept > 0) CommandConsole.Out.WriteLine($"{kept} queued item(s) kept: they are still to be delivered (--include-queued deletes them too)");
            if (n > 0)
                Audit(result, logger => DeliveryEvents.Purged(logger, CommandConsole.Actor, n, (only is null ? "all" : "id " + only) + (includeQueued ? ", queued included" : ""),
                    string.Join(", ", deleted.Select(e => $"{e.Item.Id} ({e.Folder}, {e.Item.Recipient}, call {e.Item.CallId})"))));
            return 0;
        });
        return new Command("outbox", "Voice messages waiting for the SMTP smart host, and dead letters.") { list, retry, purge };
    }

    private static SmtpOutbox Open(ParseResult result) => new(CliContext.Data(result).Outbox);

    /// <summary>Retry and purge change what gets delivered: the event log says who did it.</summary>
    private static void Audit(ParseResult result, Action<ILogger> write)
    {
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(CliContext.Data(result));
        write(events.CreateLogger("OpenUM.Cli"));
    }

    private static string? Shorten(string? text) => text is { Length: > 80 } ? text[..77] + "..." : text;

    private sealed record Row(string Id, string State, string Recipient, string Extension, string CallerId, DateTimeOffset QueuedAt,
        int Attempts, DateTimeOffset? NextAttemptAt, string? LastError, string MessageId, long SizeBytes);
}
