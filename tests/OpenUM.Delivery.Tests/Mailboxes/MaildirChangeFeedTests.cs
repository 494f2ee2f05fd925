using OpenUM.Delivery.Mailboxes;

namespace OpenUM.Delivery.Tests.Mailboxes;

/// <summary>The maildir's change feed: a deposit, a message heard and one deleted each say "count again" for their address.</summary>
public sealed class MaildirChangeFeedTests : IDisposable
{
    private const string Address = "Alice@Example.com";
    private readonly Fixture _fx = new();
    private readonly CancellationToken _ct = CancellationToken.None;
    private readonly MaildirChangeFeed _feed = new();
    private readonly List<string> _changed = [];

    public MaildirChangeFeedTests() => _feed.MailboxChanged += _changed.Add;

    public void Dispose() => _fx.Dispose();

    private MaildirSink Sink() => new(_fx.MaildirRoot) { Changes = _feed };

    [Fact]
    public async Task ADepositIsReportedOnceTheMessageIsInNew_AndTheCountAlreadySeesIt()
    {
        var store = new MaildirMessageStore(_fx.MaildirRoot, _feed);
        MessageCounts? seen = null;
        // What a listener counts when told is what it must find: the message is durable before the notice.
        _feed.MailboxChanged += a => seen = store.CountAsync(a, _ct).AsTask().GetAwaiter().GetResult();

        await Sink().DeliverAsync(_fx.Message(Address), _ct);

        Assert.Equal([Address], _changed);
        Assert.Equal(new MessageCounts(1, 0), seen);
    }

    [Fact]
    public async Task HeardAndDeletedAreReported_NothingForWhatChangedNothing()
    {
        var store = new MaildirMessageStore(_fx.MaildirRoot, _feed);
        await new MaildirSink(_fx.MaildirRoot).DeliverAsync(_fx.Message(Address), _ct); // a sink without the feed: no notice
        Assert.Empty(_changed);

        await using var box = await store.OpenAsync(Address, _ct);
        var message = Assert.Single(await box.ListAsync(_ct));
        var heard = await box.MarkHeardAsync(message, _ct);
        Assert.Equal([Address], _changed);
        Assert.Same(heard, await box.MarkHeardAsync(heard, _ct)); // already heard: nothing changed, nothing said
        Assert.Equal([Address], _changed);

        Assert.True(await box.DeleteAsync(heard, _ct));
        Assert.Equal([Address, Address], _changed);
        Assert.False(await box.DeleteAsync(heard, _ct)); // already gone
        Assert.Equal([Address, Address], _changed);
        Assert.Equal(default, await store.CountAsync(Address, _ct));
    }

    [Fact]
    public async Task AListenerThatThrowsFailsNeitherTheDepositNorTheOtherListeners()
    {
        _feed.MailboxChanged += _ => throw new InvalidOperationException("listener bug");
        var after = new List<string>();
        _feed.MailboxChanged += after.Add;

        string path = await Sink().DeliverAsync(_fx.Message(Address), _ct);

        Assert.True(File.Exists(path));
        Assert.Equal([Address], _changed);
        Assert.Equal([Address], after);
    }

    [Fact]
    public void AlwaysAvailable_WatchingIsNotNeeded()
    {
        var states = new List<MessageStoreState>();
        IMailboxChangeFeed feed = _feed;
        feed.StateChanged += states.Add;
        feed.Watch(Address);
        feed.DepositHint(Address);
        feed.Unwatch(Address);
        Assert.Equal(MessageStoreState.Available, feed.State);
        Assert.Empty(states);
        Assert.Empty(_changed); // a hint is no change: the sink reports the deposit itself
        Assert.Throws<ArgumentException>(() => feed.Watch(""));
    }
}
