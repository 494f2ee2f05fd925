using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;

namespace OpenUM.Delivery.Tests;

/// <summary>Reading voice messages back from the local maildir, and the smart host rule that decides whether there are any.</summary>
public sealed class MailboxStoreTests : IDisposable
{
    private const string Address = "alice@example.com";
    private static readonly DateTimeOffset Older = new(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Newer = new(2026, 1, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly Fixture _fx = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _fx.Dispose();

    private Task<string> PlantAsync(DateTimeOffset at, string callerId, string? callerName = null) =>
        new MaildirSink(_fx.MaildirRoot).DeliverAsync(
            _fx.Message(Address, callerId, callerName) with { ReceivedAt = at, CallId = "call-" + at.Ticks }, _ct);

    private ValueTask<IVoiceMailbox> OpenAsync() => new MaildirMessageStore(_fx.MaildirRoot).OpenAsync(Address, _ct);

    [Fact]
    public async Task ListsNewMessagesNewestFirstThenSavedOnes_WithTheComposersHeaders()
    {
        string older = await PlantAsync(Older, "5551234", "Bob Caller");
        string newer = await PlantAsync(Newer, "5559876");
        string oldest = await PlantAsync(Older.AddDays(-1), "5550000");
        var box = await OpenAsync();
        var heard = await box.MarkHeardAsync((await box.FindAsync(Path.GetFileName(oldest), _ct))!, _ct);
        Assert.False(heard.IsNew);

        var list = await box.ListAsync(_ct);
        Assert.Equal([Path.GetFileName(newer), Path.GetFileName(older), Path.GetFileName(oldest)], list.Select(m => m.Id));
        Assert.Equal([true, true, false], list.Select(m => m.IsNew));
        var bob = list[1];
        Assert.Equal("5551234", bob.CallerId);
        Assert.Equal("Bob Caller", bob.CallerName);
        Assert.Equal(Older, bob.ReceivedAt);
        Assert.Equal(TimeSpan.FromSeconds(12), bob.Duration); // the fixture's 12.4 s, in whole seconds as the header carries it
    }

    [Fact]
    public async Task ReadsTheWavAttachmentBytes()
    {
        string path = await PlantAsync(Newer, "42");
        var box = await OpenAsync();
        var message = await box.FindAsync(Path.GetFileName(path), _ct);
        Assert.NotNull(message);
        Assert.Equal(_fx.WavBytes, await box.ReadAudioAsync(message, _ct));
    }

    [Fact]
    public async Task AMessageWithoutReadableAudioHasNone_AndUnreadableFilesAreLeftOut()
    {
        string path = await PlantAsync(Newer, "42");
        var box = await OpenAsync();
        var message = (await box.FindAsync(Path.GetFileName(path), _ct))!;
        File.Delete(path); // taken by a mail client between the list and the read
        Assert.Null(await box.ReadAudioAsync(message, _ct));
        Assert.Empty(await box.ListAsync(_ct));
        Assert.Null(await box.FindAsync(message.Id, _ct));
    }

    [Fact]
    public async Task MarkHeardMovesToCurWithTheSeenFlag_Once()
    {
        string path = await PlantAsync(Newer, "42");
        var box = await OpenAsync();
        var message = (await box.FindAsync(Path.GetFileName(path), _ct))!;
        var heard = await box.MarkHeardAsync(message, _ct);
        Assert.False(heard.IsNew);
        string folder = Path.GetDirectoryName(Path.GetDirectoryName(path))!;
        Assert.Equal([Path.Combine(folder, "cur", message.Id + ":2,S")], System.IO.Directory.GetFiles(Path.Combine(folder, "cur")));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(folder, "new")));
        Assert.Same(heard, await box.MarkHeardAsync(heard, _ct)); // already saved: nothing to do
        Assert.Equal(_fx.WavBytes, await box.ReadAudioAsync(heard, _ct)); // still readable where it is now
        // Marking the stale "new" copy again finds nothing to move and leaves it as it was.
        Assert.True((await box.MarkHeardAsync(message, _ct)).IsNew);
    }

    [Fact]
    public async Task DeleteMovesIntoTheMaildirTrashWithSeenAndTrashedFlags()
    {
        string path = await PlantAsync(Newer, "42");
        var box = await OpenAsync();
        var message = (await box.FindAsync(Path.GetFileName(path), _ct))!;
        Assert.True(await box.DeleteAsync(message, _ct));
        string folder = Path.GetDirectoryName(Path.GetDirectoryName(path))!;
        Assert.True(File.Exists(Path.Combine(folder, ".Trash", "cur", message.Id + ":2,ST")));
        Assert.True(System.IO.Directory.Exists(Path.Combine(folder, ".Trash", "tmp")));
        Assert.True(System.IO.Directory.Exists(Path.Combine(folder, ".Trash", "new")));
        Assert.Empty(await box.ListAsync(_ct));
        Assert.False(await box.DeleteAsync(message, _ct)); // already gone
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/b@example.com")]
    [InlineData("")]
    public async Task AnAddressThatCannotNameAMaildirFolderHasAnEmptyMailbox(string address)
    {
        await PlantAsync(Newer, "42");
        var box = await new MaildirMessageStore(_fx.MaildirRoot).OpenAsync(address, _ct);
        Assert.Empty(await box.ListAsync(_ct));
        Assert.Null(await box.FindAsync("x", _ct));
    }

    [Fact]
    public async Task CountsAreTheNewAndSavedMessagesAsListed()
    {
        var store = new MaildirMessageStore(_fx.MaildirRoot);
        Assert.Equal(default, await store.CountAsync(Address, _ct)); // no folder yet
        await PlantAsync(Older, "5551234");
        string newer = await PlantAsync(Newer, "5559876");
        await using (var box = await store.OpenAsync(Address, _ct))
            await box.MarkHeardAsync((await box.FindAsync(Path.GetFileName(newer), _ct))!, _ct);
        Assert.Equal(new MessageCounts(1, 1), await store.CountAsync(Address, _ct));
        Assert.Equal(default, await store.CountAsync("a/b@example.com", _ct));
        Assert.Equal(default, await new VoiceMessageStore(() => SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "smtp.example.test:25" }), store)
            .CountAsync(Address, _ct));
    }

    [Fact]
    public async Task WithASmartHostTheServerKeepsNoCopy_SoEveryMailboxIsEmpty()
    {
        string path = await PlantAsync(Newer, "42"); // delivered before the smart host was configured
        SmartHostSettings? smartHost = SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "smtp.example.test:25" });
        Assert.NotNull(smartHost);
        SmartHostSettings? current = smartHost;
        var store = new VoiceMessageStore(() => current, _fx.MaildirRoot);

        Assert.Empty(await (await store.OpenAsync(Address, _ct)).ListAsync(_ct));
        current = null; // the setting is read at each opening, like the router reads it at each delivery
        Assert.Equal(Path.GetFileName(path), Assert.Single(await (await store.OpenAsync(Address, _ct)).ListAsync(_ct)).Id);

        Assert.False(VoiceMessageRouter.KeepsLocalCopies(smartHost));
        Assert.True(VoiceMessageRouter.KeepsLocalCopies(null));
    }
}
