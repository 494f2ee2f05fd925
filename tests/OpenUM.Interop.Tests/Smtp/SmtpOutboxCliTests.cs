using System.Text.Json;
using System.Text.RegularExpressions;
using MimeKit;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Smtp;

/// <summary>
/// DLV-2 operator paths against the real Postfix smart host: a 5xx dead-letters a message, `openum outbox
/// list/retry/purge` show, requeue and delete it; and delivery over implicit TLS (SMTPS, wrapper mode) with
/// the client certificate still required.
/// </summary>
public sealed partial class SmtpOutboxCliTests(ITestOutputHelper output)
{
    private const string Mailbox = OpenUmProcess.MailboxAddress;

    // Postfix answers RCPT TO for the test mailbox with "554 5.7.1 <...>: Recipient address rejected: Access denied".
    private const string RejectMailbox = $"smtpd_recipient_restrictions = check_recipient_access inline:{{ {Mailbox}=REJECT }}, reject_unlisted_recipient";

    [Fact]
    public async Task DeadLetterIsListedThenRetriedAfterTheFixAndDeliveredOnceAndAnotherIsPurged()
    {
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output, extraMainCf: RejectMailbox);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.StartAsync();

        await SmtpDeliveryTests.CallsAsync(um, 2, output);

        var dead = await WaitForDeadAsync(um, 2);
        foreach (var e in dead)
        {
            Assert.Equal(Mailbox, e.GetProperty("recipient").GetString());
            string reason = e.GetProperty("lastError").GetString() ?? "";
            Assert.Contains("554", reason);
            Assert.Contains("Recipient address rejected", reason);
            Assert.Equal(JsonValueKind.Null, e.GetProperty("nextAttemptAt").ValueKind);
        }
        Assert.Equal(2, um.Um.ReadEvents().Count(e => e.Id == 2021));
        Assert.Contains(um.Um.ReadEvents(), e => e.Id == 1185 && e.Message.Contains("Recipient address rejected", StringComparison.Ordinal));
        Assert.Empty(postfix.Mail(Mailbox));
        string retried = dead[0].GetProperty("id").GetString()!, purged = dead[1].GetProperty("id").GetString()!;

        // Purge one dead letter: its files and listing entry go, the event log says who deleted what.
        var purge = await um.Um.CliOkAsync("outbox", "purge", "--id", purged);
        Assert.Contains("1 item(s) deleted", purge.StdOut);
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(um.Um.DataDir, "outbox"), purged + ".*", SearchOption.AllDirectories));
        var audit = Assert.Single(um.Um.ReadEvents(), e => e.Id == 2027);
        Assert.Contains(purged, audit.Message);
        Assert.DoesNotContain(retried, audit.Message);
        Assert.Equal(retried, Assert.Single(await um.OutboxAsync()).GetProperty("id").GetString());

        // Fix the cause, then retry the other: delivered exactly once.
        await postfix.ReloadAsync(pki, "");
        var retry = await um.Um.CliOkAsync("outbox", "retry", "--id", retried);
        Assert.Contains("1 item(s) queued", retry.StdOut);
        string file = Assert.Single(await postfix.WaitForMailAsync(Mailbox, 1, TimeSpan.FromSeconds(60), () => um.Diagnostics));
        Assert.Empty(await SmtpDeliveryTests.WaitForOutboxAsync(um, 0));
        await um.StopAsync();
        Assert.Single(postfix.Mail(Mailbox));
        var submitted = Assert.Single(um.Um.ReadEvents(), e => e.Id == 2020);
        Assert.Contains(retried, submitted.Message);
        using var message = await MimeMessage.LoadAsync(file);
        Assert.Contains(message.MessageId ?? "(none)", submitted.Message);
        Assert.Single(StatusSent().Matches(postfix.Log));
        Assert.Contains(um.Um.ReadEvents(), e => e.Id == 2026 && e.Message.Contains(retried, StringComparison.Ordinal));
    }

    [Fact]
    public async Task VoiceMailArrivesOverImplicitTlsWithOurClientCertificate()
    {
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output, smtps: true);
        Assert.InRange(postfix.SmtpsPort, 36000, 36999);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.Um.CliOkAsync("server", "set", "--smart-host", $"localhost:{postfix.SmtpsPort}", "--smart-host-tls", "Implicit");
        await um.StartAsync();

        await SmtpDeliveryTests.CallsAsync(um, 1, output);

        string file = Assert.Single(await postfix.WaitForMailAsync(Mailbox, 1, TimeSpan.FromSeconds(60), () => um.Diagnostics));
        using var message = await MimeMessage.LoadAsync(file);
        Assert.Equal("audio/wav", message.Attachments.OfType<MimePart>().Single().ContentType.MimeType);
        string log = postfix.Log;
        // The TLS session was on the wrapper-mode listener, verified our certificate, and no STARTTLS was involved.
        Assert.Matches(@"postfix/smtps/smtpd\[\d+\]: Trusted TLS connection established from unknown\[127\.0\.0\.1\]: TLSv1\.[23]", log);
        Assert.Matches(@"postfix/smtps/smtpd\[\d+\]: .*subject_CN=" + Regex.Escape(TestPki.UmName), log);
        Assert.DoesNotContain("Trusted TLS connection established", string.Join('\n', log.Split('\n').Where(l => l.Contains("postfix/smtpd[", StringComparison.Ordinal))));
        Assert.DoesNotContain("STARTTLS", log);
        // The outbox forgets the item before 2020 is written: wait for the line.
        Assert.Contains(message.MessageId ?? "(none)", Assert.Single(await um.Um.WaitForEventCountAsync(2020, 1, TimeSpan.FromSeconds(30))).Message);
        Assert.Empty(await SmtpDeliveryTests.WaitForOutboxAsync(um, 0));
    }

    /// <summary>Waits until `openum outbox list --json` shows <paramref name="count"/> dead letters (hang guard 60 s).</summary>
    private static async Task<JsonElement[]> WaitForDeadAsync(SmtpUmServer um, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var items = await um.OutboxAsync();
            if (items.Length == count && items.All(e => e.GetProperty("state").GetString() == "Dead")) return items;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"expected {count} dead letters, outbox: {string.Join(", ", items.Select(e => e.GetRawText()))}\n{um.Diagnostics}");
            await Task.Delay(200);
        }
    }

    [GeneratedRegex(@"status=sent \(delivered via maildir service\)")]
    private static partial Regex StatusSent();
}
