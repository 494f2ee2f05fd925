using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;

namespace OpenUM.Delivery.Tests;

public class WorkerTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 4, 9, 0, 0, TimeSpan.Zero);
    private static readonly SmartHostSettings Settings = new("mail.example.test", 25, SmartHostTls.StartTls, true, null, null,
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), TimeSpan.FromHours(48));

    private sealed class Harness : IDisposable
    {
        public readonly Fixture Fixture = new();
        public readonly FakeTimeProvider Time = new(Start);
        public readonly FakeSubmitter Smtp = new();
        public readonly FakeLogger Events = new();
        public readonly SmtpOutbox Outbox;
        public readonly OutboxWorker Worker;

        public Harness()
        {
            Outbox = new SmtpOutbox(Path.Combine(Fixture.Directory, "outbox"), Time);
            Worker = new OutboxWorker(Outbox, () => Settings, Smtp, Time, Events, new Random(3));
        }

        public Task<OutboxItem> QueueAsync(string recipient = "alice@example.com") =>
            Outbox.EnqueueAsync(Fixture.Message(recipient), "vm@um.example.test", CancellationToken.None);

        public void Dispose()
        {
            Worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Fixture.Dispose();
        }
    }

    [Fact]
    public async Task DeliveredItemIsSentOnceAndRemoved()
    {
        using var h = new Harness();
        var item = await h.QueueAsync();
        h.Time.Advance(TimeSpan.FromMilliseconds(250));

        Assert.Null(await h.Worker.ProcessDueAsync(CancellationToken.None));
        Assert.Null(await h.Worker.ProcessDueAsync(CancellationToken.None));

        var sent = Assert.Single(h.Smtp.Sent);
        Assert.Equal(("vm@um.example.test", "alice@example.com", item.MessageId), sent);
        Assert.Empty(h.Outbox.List());
        var e = Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2020);
        Assert.Contains("250 ms after it was queued", e.Message);
    }

    [Fact]
    public async Task OnlyItemsTheSmartHostAcceptedAreReported_AListenerThatThrowsChangesNothing()
    {
        using var h = new Harness();
        var accepted = new List<string>();
        await using var worker = new OutboxWorker(h.Outbox, () => Settings, h.Smtp, h.Time, h.Events)
        {
            Accepted = item =>
            {
                accepted.Add(item.Recipient);
                throw new InvalidOperationException("listener bug");
            },
        };
        await h.QueueAsync("alice@example.com");
        await h.QueueAsync("bob@example.com");
        h.Smtp.Reject["bob@example.com"] = new SmtpFailure(SmtpFailureKind.Transient, 450, "mailbox busy");

        await worker.ProcessDueAsync(CancellationToken.None);

        Assert.Equal(["alice@example.com"], accepted); // bob's was deferred: not in the mail server yet
        Assert.Equal("bob@example.com", Assert.Single(h.Outbox.Queued()).Recipient);
        Assert.Single(h.Smtp.Sent);
    }

    [Fact]
    public async Task UnreachableSmartHostKeepsEveryItemAndBacksOff()
    {
        using var h = new Harness();
        for (int i = 0; i < 3; i++) await h.QueueAsync();
        h.Smtp.OpenFailure = new SmtpFailure(SmtpFailureKind.Unreachable, null, "connection failed: ConnectionRefused");

        var next = await h.Worker.ProcessDueAsync(CancellationToken.None);

        Assert.Equal(3, h.Outbox.Queued().Count);
        Assert.All(h.Outbox.Queued(), i => Assert.Equal(1, i.Attempts));
        Assert.All(h.Outbox.Queued(), i => Assert.InRange(i.NextAttemptAt, Start.AddSeconds(15), Start.AddSeconds(30)));
        Assert.NotNull(next);
        Assert.Contains("ConnectionRefused", Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 1082).Message);

        // Not due yet: no new connection.
        int opens = h.Smtp.Opens;
        await h.Worker.ProcessDueAsync(CancellationToken.None);
        Assert.Equal(opens, h.Smtp.Opens);

        // Back online after the backoff: all delivered, once each.
        h.Smtp.OpenFailure = null;
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.Worker.ProcessDueAsync(CancellationToken.None);
        Assert.Equal(3, h.Smtp.Sent.Count);
        Assert.Empty(h.Outbox.Queued());
        Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2024);
    }

    [Fact]
    public async Task OutageLongerThanTheExpiryNeverDropsAnItem()
    {
        using var h = new Harness();
        await h.QueueAsync();
        h.Smtp.OpenFailure = new SmtpFailure(SmtpFailureKind.ClientCertificateRejected, 421, "421 4.7.1 mail.example.test Error: Client certificate not trusted");
        for (int i = 0; i < 40; i++)
        {
            await h.Worker.ProcessDueAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromHours(2));
        }
        var item = Assert.Single(h.Outbox.List());
        Assert.Equal(OutboxFolder.Queued, item.Folder);
        Assert.Equal(40, item.Item.Attempts);
        var rejected = h.Events.Collector.GetSnapshot().Where(x => x.Id.Id == 1185).ToList();
        Assert.NotEmpty(rejected);
        Assert.Contains("TLS client certificate", rejected[0].Message);
        Assert.Contains("Client certificate not trusted", rejected[0].Message);
        Assert.DoesNotContain(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2021);
    }

    [Fact]
    public async Task PermanentRejectionGoesToDeadLetterWithAnEventAndOthersStillGo()
    {
        using var h = new Harness();
        var bad = await h.QueueAsync("nobody@example.com");
        await h.QueueAsync("alice@example.com");
        h.Smtp.Reject["nobody@example.com"] = new SmtpFailure(SmtpFailureKind.Permanent, 550, "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown");

        await h.Worker.ProcessDueAsync(CancellationToken.None);

        var dead = Assert.Single(h.Outbox.List(), e => e.Folder == OutboxFolder.Dead);
        Assert.Equal(bad.Id, dead.Item.Id);
        Assert.Contains("User unknown", dead.Item.LastError);
        Assert.Single(h.Smtp.Sent);
        Assert.Empty(h.Outbox.Queued());
        Assert.Contains("dead-letter", Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 1185).Message);
        Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2021);
    }

    [Fact]
    public async Task UnreadableStoredMessageIsSetAsideAndTheQueueMovesOn()
    {
        using var h = new Harness();
        var broken = await h.QueueAsync("nobody@example.com");
        await h.QueueAsync("alice@example.com");
        // A MIME file emptied on disk (bad block, operator mistake): MimeKit cannot parse it.
        File.WriteAllBytes(Path.Combine(h.Outbox.QueuePath, broken.Id + ".eml"), []);

        await h.Worker.ProcessDueAsync(CancellationToken.None);

        var dead = Assert.Single(h.Outbox.List(), e => e.Folder == OutboxFolder.Dead);
        Assert.Equal(broken.Id, dead.Item.Id);
        Assert.Contains("cannot be read", dead.Item.LastError);
        Assert.Equal("alice@example.com", Assert.Single(h.Smtp.Sent).Item2);
        Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2021);
    }

    [Fact]
    public async Task DeferredMessageIsRetriedThenDeadLetteredAfterTheExpiry()
    {
        using var h = new Harness();
        await h.QueueAsync("full@example.com");
        h.Smtp.Reject["full@example.com"] = new SmtpFailure(SmtpFailureKind.Transient, 452, "452 4.2.2 Mailbox full");

        await h.Worker.ProcessDueAsync(CancellationToken.None);
        var item = Assert.Single(h.Outbox.Queued());
        Assert.Equal(1, item.Attempts);
        Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2022);

        h.Time.Advance(TimeSpan.FromHours(49));
        await h.Worker.ProcessDueAsync(CancellationToken.None);
        Assert.Empty(h.Outbox.Queued());
        Assert.Contains("Mailbox full", Assert.Single(h.Outbox.List()).Item.LastError);
    }

    [Fact]
    public async Task ConnectionLostMidQueueLeavesTheRestForTheNextSession()
    {
        using var h = new Harness();
        for (int i = 0; i < 3; i++)
        {
            await h.QueueAsync($"u{i}@example.com");
            h.Time.Advance(TimeSpan.FromMilliseconds(1)); // queue order is by time
        }
        h.Smtp.Reject["u1@example.com"] = new SmtpFailure(SmtpFailureKind.Transient, null, "connection lost");
        h.Smtp.DropConnectionOnReject = true;

        await h.Worker.ProcessDueAsync(CancellationToken.None);

        Assert.Equal(["u0@example.com"], h.Smtp.Sent.Select(s => s.Recipient));
        Assert.Equal(["u1@example.com", "u2@example.com"], h.Outbox.Queued().Select(i => i.Recipient));
        h.Smtp.Reject.Clear();
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Worker.ProcessDueAsync(CancellationToken.None);
        Assert.Equal(["u0@example.com", "u1@example.com", "u2@example.com"], h.Smtp.Sent.Select(s => s.Recipient));
    }

    [Fact]
    public async Task AnotherWorkerOnTheSameFolderResumesTheQueue()
    {
        using var h = new Harness();
        await h.QueueAsync();
        h.Smtp.OpenFailure = new SmtpFailure(SmtpFailureKind.Unreachable, null, "refused");
        await h.Worker.ProcessDueAsync(CancellationToken.None);

        var smtp = new FakeSubmitter();
        var outbox = new SmtpOutbox(h.Outbox.Root, h.Time);
        outbox.Recover();
        await using var restarted = new OutboxWorker(outbox, () => Settings, smtp, h.Time, h.Events);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await restarted.ProcessDueAsync(CancellationToken.None);
        Assert.Single(smtp.Sent);
        Assert.Empty(h.Outbox.Queued());
    }

    [Fact]
    public void ARepeatedLoopFailureIsReportedOnceAMinute_ADifferentOneAtOnce()
    {
        using var h = new Harness();
        int Reported() => h.Events.Collector.GetSnapshot().Count(x => x.Id.Id == 2025);

        for (int i = 0; i < 30; i++)
        {
            h.Worker.ReportLoopFailure(new IOException("Too many open files"));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(1, Reported());

        h.Worker.ReportLoopFailure(new UnauthorizedAccessException("read-only"));
        Assert.Equal(2, Reported());

        h.Worker.ReportLoopFailure(new UnauthorizedAccessException("read-only"));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.Worker.ReportLoopFailure(new UnauthorizedAccessException("read-only"));
        Assert.Equal(3, Reported());
        Assert.Contains("(1 earlier failures not reported)", h.Events.Collector.LatestRecord.Message);
    }

    [Fact]
    public async Task WithoutASmartHostItemsWaitAndAreReported()
    {
        using var h = new Harness();
        await h.QueueAsync();
        await using var worker = new OutboxWorker(h.Outbox, () => null, h.Smtp, h.Time, h.Events);
        await worker.ProcessDueAsync(CancellationToken.None);
        Assert.Equal(0, h.Smtp.Opens);
        Assert.Single(h.Outbox.Queued());
        Assert.Single(h.Events.Collector.GetSnapshot(), x => x.Id.Id == 2023);
    }

    [Fact]
    public async Task RouterUsesTheMaildirWithoutASmartHostAndTheOutboxWithOne()
    {
        using var h = new Harness();
        SmartHostSettings? current = null;
        int woken = 0;
        var router = new VoiceMessageRouter(() => current, h.Outbox, new MaildirSink(h.Fixture.MaildirRoot), "vm@um.example.test", () => woken++);

        var local = await router.DeliverAsync(h.Fixture.Message(), CancellationToken.None);
        Assert.StartsWith(h.Fixture.MaildirRoot, local);
        Assert.Empty(h.Outbox.Queued());

        current = Settings;
        var queued = await router.DeliverAsync(h.Fixture.Message(), CancellationToken.None);
        Assert.Contains("outbox", queued);
        Assert.Single(h.Outbox.Queued());
        Assert.Equal(1, woken);
    }

    internal sealed class FakeSubmitter : ISmtpSubmitter
    {
        public SmtpFailure? OpenFailure;
        public readonly Dictionary<string, SmtpFailure> Reject = new(StringComparer.OrdinalIgnoreCase);
        public bool DropConnectionOnReject;
        public readonly List<(string Sender, string Recipient, string MessageId)> Sent = [];
        public int Opens;

        public Task<ISmtpSession> OpenAsync(SmartHostSettings settings, CancellationToken ct)
        {
            Opens++;
            if (OpenFailure is { } f) throw new SmtpSessionException(f);
            return Task.FromResult<ISmtpSession>(new Session(this));
        }

        private sealed class Session(FakeSubmitter owner) : ISmtpSession
        {
            public bool IsConnected { get; private set; } = true;

            public Task<string> SendAsync(MimeMessage message, string sender, string recipient, CancellationToken ct)
            {
                if (!IsConnected) throw new SmtpSessionException(new SmtpFailure(SmtpFailureKind.Transient, null, "not connected"));
                if (owner.Reject.TryGetValue(recipient, out var failure))
                {
                    if (owner.DropConnectionOnReject) IsConnected = false;
                    throw new SmtpSessionException(failure);
                }
                owner.Sent.Add((sender, recipient, message.MessageId ?? ""));
                return Task.FromResult("2.0.0 Ok: queued as ABC123");
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
