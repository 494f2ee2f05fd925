using System.CommandLine;
using OpenUM.Delivery.Smtp;

namespace OpenUM.Cli;

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
            int n = await Open(result).RetryAsync(result.GetValue(id), ct).ConfigureAwait(false);
            Console.WriteLine($"{n} item(s) queued for immediate delivery");
            return n == 0 && result.GetValue(id) is not null ? 1 : 0;
        });

        var purgeId = new Option<string?>("--id") { Description = "Only this item" };
        var queued = new Option<bool>("--include-queued") { Description = "Also delete messages still waiting for delivery (they are lost)" };
        var purge = new Command("purge", "Delete dead letters (and with --include-queued, queued messages).\nExample: openum outbox purge") { purgeId, queued };
        purge.SetAction(result =>
        {
            int n = Open(result).Purge(result.GetValue(purgeId), result.GetValue(queued));
            Console.WriteLine($"{n} item(s) deleted");
            return n == 0 && result.GetValue(purgeId) is not null ? 1 : 0;
        });
        return new Command("outbox", "Voice messages waiting for the SMTP smart host, and dead letters.") { list, retry, purge };
    }

    private static SmtpOutbox Open(ParseResult result) => new(CliContext.Data(result).Outbox);

    private static string? Shorten(string? text) => text is { Length: > 80 } ? text[..77] + "..." : text;

    private sealed record Row(string Id, string State, string Recipient, string Extension, string CallerId, DateTimeOffset QueuedAt,
        int Attempts, DateTimeOffset? NextAttemptAt, string? LastError, string MessageId, long SizeBytes);
}
