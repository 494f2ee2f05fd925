using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Directory;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Delivery.Tests.Imap;

/// <summary>
/// The IMAP change feed's timing and state without a server (no dedicated connections: the cap is 0 or no store is
/// configured): deposit recounts at +2/+10/+30 s, the resync's rate, the cap's event 2041, the store's outage shared
/// (one StateChanged per transition, 2036/2037 logged once by the store) and the full recount when it answers again.
/// </summary>
public sealed class ImapChangeFeedTests : IAsyncDisposable
{
    private const string Alice = "alice@example.com";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    private static readonly ImapSettings Settings = ImapSettings.From(new UmServer
    {
        Name = "um1", ImapHost = "imap.example.test:143", ImapUser = "openum", ImapPasswordFile = "/etc/openum/imap-password",
    })!;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _log = new();
    private readonly ConcurrentQueue<string> _changed = new();
    private readonly ConcurrentQueue<MessageStoreState> _states = new();
    private ImapChangeFeed? _feed;

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null) await _feed.DisposeAsync();
    }

    private (ImapMessageStore Store, ImapChangeFeed Feed) Create(ImapSettings? settings, ImapWatchOptions options)
    {
        var store = new ImapMessageStore(() => settings, () => throw new InvalidOperationException("no connection in these tests"), _time, _log);
        _feed = new ImapChangeFeed(store, () => settings, _time, _log, options);
        _feed.MailboxChanged += _changed.Enqueue;
        _feed.StateChanged += _states.Enqueue;
        return (store, _feed);
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "hang guard: " + what);
            await Task.Delay(5);
        }
    }

    [Fact]
    public void ADepositHintRecountsAtTwoTenAndThirtySeconds()
    {
        var (_, feed) = Create(null, new ImapWatchOptions());
        feed.DepositHint(Alice);
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Empty(_changed);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([Alice], _changed);
        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(2, _changed.Count);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(3, _changed.Count);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, _changed.Count);
    }

    [Fact]
    public async Task PendingRecountsAreBounded_AndDisposeCancelsThem()
    {
        var (_, feed) = Create(null, new ImapWatchOptions { MaxPendingRecounts = 4 });
        feed.DepositHint(Alice);
        feed.DepositHint("bob@example.com"); // only one of its three fits
        feed.DepositHint("carol@example.com"); // none
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(4, _changed.Count);
        Assert.DoesNotContain("carol@example.com", _changed);

        feed.DepositHint(Alice);
        await feed.DisposeAsync();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(4, _changed.Count);
    }

    [Fact]
    public async Task TheResyncTellsEveryWatchedMailboxAtTheBoundedRate()
    {
        var (_, feed) = Create(Settings, new ImapWatchOptions { MaxWatchedMailboxes = 0, ResyncPerSecond = 10 });
        string[] addresses = [.. Enumerable.Range(0, 25).Select(i => $"user{i}@example.com")];
        foreach (var a in addresses) feed.Watch(a);
        Assert.Equal(0, feed.Connections);
        Assert.Single(_log.Records(2041)); // 25 > 0: the rest are polled, said once
        await Task.Delay(50); // let the resync loop reach its wait (nothing may be raised before the interval)
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Empty(_changed);

        var start = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitAsync(() => !_changed.IsEmpty, "the first resync notice");
        var deadline = DateTime.UtcNow + HangGuard;
        while (_changed.Count < addresses.Length)
        {
            Assert.True(DateTime.UtcNow < deadline, "hang guard: the whole resync pass");
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }
        // 25 notices at most 10 a second: the last one at least 2.4 s (of the feed's clock) after the first.
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(1 + 2.4), $"resync too fast: {(_time.GetUtcNow() - start).TotalSeconds} s");
        Assert.Equal(addresses, _changed);
    }

    [Fact]
    public void TheCapIsLoggedOnce_AgainOnlyAfterFallingBelowIt()
    {
        var (_, feed) = Create(null, new ImapWatchOptions { MaxWatchedMailboxes = 2 });
        feed.Watch("a@example.com");
        feed.Watch("b@example.com");
        Assert.Empty(_log.Records(2041));
        feed.Watch("c@example.com");
        feed.Watch("d@example.com");
        feed.Watch("c@example.com");
        Assert.Single(_log.Records(2041));
        feed.Unwatch("c@example.com");
        feed.Watch("e@example.com"); // still beyond the cap all the time: no new event
        Assert.Single(_log.Records(2041));
        feed.Unwatch("D@EXAMPLE.COM"); // addresses compare without case
        feed.Unwatch("e@example.com"); // back at the cap
        feed.Watch("f@example.com");
        Assert.Equal(2, _log.Records(2041).Count);
        Assert.Equal(0, feed.Connections); // no store configured: nothing connects
    }

    [Fact]
    public async Task TheStoresOutageIsSharedOnce_AndItsReturnRecountsEveryWatchedMailbox()
    {
        var (store, feed) = Create(Settings, new ImapWatchOptions { MaxWatchedMailboxes = 0 });
        feed.Watch(Alice);
        feed.Watch("bob@example.com");

        // Two sessions fail (a call and the probe, say): one transition, one 2036 (logged by the store).
        _ = store.Failed(Settings, Alice, ImapPhase.Connect, new SocketException((int)SocketError.ConnectionRefused));
        _ = store.Failed(Settings, "bob@example.com", ImapPhase.Connect, new SocketException((int)SocketError.ConnectionRefused));
        Assert.Equal(MessageStoreState.Unavailable, feed.State);
        Assert.Equal([MessageStoreState.Unavailable], _states);
        Assert.Single(_log.Records(2036));

        feed.DepositHint(Alice); // held: nothing is said about anyone's messages while the store is down
        _time.Advance(TimeSpan.FromSeconds(0.5));
        _time.Advance(TimeSpan.FromSeconds(30)); // (the probe's first attempt throws in this test's TLS: still down)
        await Task.Delay(50);
        Assert.Empty(_changed);
        Assert.Equal(MessageStoreState.Unavailable, feed.State);

        // The store answers (about one mailbox only - still an answer): Available, 2037, and every watched mailbox recounted.
        _ = store.Failed(Settings, Alice, ImapPhase.Open, new FolderNotFoundException("Voice"));
        Assert.Equal(MessageStoreState.Available, feed.State);
        Assert.Equal([MessageStoreState.Unavailable, MessageStoreState.Available], _states);
        Assert.Single(_log.Records(2037));
        await WaitAsync(() => _changed.Contains(Alice), "the recount of the first watched mailbox");
        var deadline = DateTime.UtcNow + HangGuard;
        while (!_changed.Contains("bob@example.com"))
        {
            Assert.True(DateTime.UtcNow < deadline, "hang guard: the recount of the second watched mailbox");
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        Assert.Equal(2, _states.Count);
    }

    [Fact]
    public void BackoffDoublesFromOneSecondUpToTheMaximum()
    {
        var max = TimeSpan.FromSeconds(60);
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 8).Select(i => ImapWatchOptions.Backoff(i, max).TotalSeconds));
        Assert.Equal(60, ImapWatchOptions.Backoff(int.MaxValue, max).TotalSeconds);
    }
}
