using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Directory;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Imap;

/// <summary>
/// <see cref="ImapChangeFeed"/> against a real Dovecot: a watched mailbox in IDLE hears an LMTP deposit and a \Seen set
/// behind OpenUM's back (doveadm) as MailboxChanged, and the counts then taken are the new ones; the store stopped is
/// StateChanged(Unavailable) once with one 2036, started again is Available (2037) and MailboxChanged for the watched
/// mailbox without anything else happening (the feed's own probe).
/// </summary>
public sealed class ImapWatchTests(DovecotFixture fx, ITestOutputHelper output) : IClassFixture<DovecotFixture>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
    private readonly EventCollector _events = new();

    private ImapSettings Settings() => ImapSettings.From(new UmServer
    {
        Name = "um1",
        ImapHost = fx.Dovecot.Endpoint(),
        ImapTls = ImapTls.StartTls,
        ImapUser = DovecotImap.MasterUser,
        ImapPasswordFile = fx.Dovecot.PasswordFile,
    })!;

    private (ImapMessageStore Store, ImapChangeFeed Feed) Create(ImapWatchOptions? options = null)
    {
        var settings = Settings();
        var store = new ImapMessageStore(() => settings, () => fx.Tls, TimeProvider.System, _events);
        return (store, new ImapChangeFeed(store, () => settings, TimeProvider.System, _events, options));
    }

    private Task DepositVoiceAsync(string user) => fx.Dovecot.DeliverAsync(user, Encoding.ASCII.GetBytes(
        $"From: <voicemail@um.example.test>\r\nTo: <{user}>\r\nSubject: Voice message\r\nMessage-ID: <{Guid.NewGuid():N}@um.example.test>\r\n" +
        "X-VoiceMessageDuration: 7\r\nX-OpenUM-Duration: 7\r\n\r\nvoice\r\n"));

    private async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within {HangGuard.TotalSeconds:0} s: {what}\nevents: {_events}\n{fx.Dovecot.Diagnostics}");
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task AWatchedMailboxHearsADepositAndASeenFlagSetOutsideOpenUm()
    {
        const string user = "user1001@example.test";
        var (store, feed) = Create();
        await using var _ = feed;
        var changed = new ConcurrentQueue<string>();
        feed.MailboxChanged += changed.Enqueue;
        feed.Watch(user);
        feed.Watch(user); // idempotent: one connection
        await WaitAsync(() => feed.Idling == 1, "the watched mailbox in IDLE");
        Assert.Equal(1, feed.Connections);

        await DepositVoiceAsync(user);
        await WaitAsync(() => changed.Contains(user), "MailboxChanged after an LMTP deposit");
        Assert.Equal(new MessageCounts(1, 0), await store.CountAsync(user, CancellationToken.None));

        await WaitAsync(() => feed.Idling == 1, "IDLE again after the report");
        changed.Clear();
        await fx.Dovecot.FlagsAsync(user, "add", "\\Seen", "mailbox", "INBOX", "ALL");
        await WaitAsync(() => changed.Contains(user), "MailboxChanged after doveadm flags add \\Seen");
        Assert.Equal(new MessageCounts(0, 1), await store.CountAsync(user, CancellationToken.None));
        Assert.All(changed, a => Assert.Equal(user, a));

        feed.Unwatch(user);
        await WaitAsync(() => feed.Idling == 0 && feed.Connections == 0, "the connection given up after Unwatch");
        Assert.Equal(MessageStoreState.Available, feed.State);
        Assert.Equal(0, _events.Count(2036));
    }

    [Fact]
    public async Task StoreStoppedIsUnavailableOnce_StartedAgainIsAvailableAndTheWatchedMailboxIsRecounted()
    {
        const string user = "user1002@example.test";
        // Probes 1, 2, 2 ... s apart instead of up to 60 s: the test waits for the first one after the restart.
        var (_, feed) = Create(new ImapWatchOptions { MaxProbeInterval = TimeSpan.FromSeconds(2) });
        await using var _ = feed;
        var states = new ConcurrentQueue<MessageStoreState>();
        var changedAfterRecovery = new ConcurrentQueue<string>();
        feed.StateChanged += states.Enqueue;
        feed.MailboxChanged += a => { if (feed.State == MessageStoreState.Available && states.Contains(MessageStoreState.Available)) changedAfterRecovery.Enqueue(a); };
        feed.Watch(user);
        await WaitAsync(() => feed.Idling == 1, "the watched mailbox in IDLE");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await fx.Dovecot.StopAsync();
        output.WriteLine($"Dovecot stopped in {clock.Elapsed.TotalSeconds:F1} s");
        try
        {
            await WaitAsync(() => states.Contains(MessageStoreState.Unavailable), "StateChanged(Unavailable) after Dovecot stopped");
            Assert.Equal(MessageStoreState.Unavailable, feed.State);
            Assert.Equal(0, feed.Connections); // the watchers stopped; only the probe tries
        }
        finally
        {
            output.WriteLine($"unavailable at {clock.Elapsed.TotalSeconds:F1} s");
            await fx.Dovecot.StartAsync();
            output.WriteLine($"Dovecot started at {clock.Elapsed.TotalSeconds:F1} s");
        }
        await WaitAsync(() => changedAfterRecovery.Contains(user), "Available and MailboxChanged for the watched mailbox after Dovecot started");
        output.WriteLine($"recounted at {clock.Elapsed.TotalSeconds:F1} s");
        await WaitAsync(() => feed.Idling == 1, "the watcher back in IDLE");
        Assert.Equal([MessageStoreState.Unavailable, MessageStoreState.Available], states);
        Assert.Equal(1, _events.Count(2036)); // once per outage, however many sessions and probes failed
        Assert.Equal(1, _events.Count(2037));
        output.WriteLine(_events.ToString());
    }

    /// <summary>Event ids and messages the store and feed logged.</summary>
    private sealed class EventCollector : ILogger
    {
        private readonly ConcurrentQueue<(int Id, string Text)> _records = new();
        public int Count(int id) => _records.Count(r => r.Id == id);
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _records.Enqueue((eventId.Id, formatter(state, exception)));
        public override string ToString() => string.Join("\n", _records.Select(r => $"{r.Id}: {r.Text}"));
    }
}
