using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;

namespace OpenUM.Delivery.Tests.Imap;

/// <summary>Which store calls read: IMAP host set → IMAP; else smart host → nothing (no local copy); else the maildir.</summary>
public sealed class VoiceMessageStoreSelectionTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed class NamedStore(string name) : IVoiceMessageStore
    {
        public List<string> Opened { get; } = [];
        public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct)
        {
            Opened.Add(emailAddress);
            return ValueTask.FromResult<IVoiceMailbox>(new MaildirMessageStoreProbe(name));
        }

        public ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct) =>
            ValueTask.FromResult(name == "imap" ? new MessageCounts(3, 4) : new MessageCounts(1, 2));
    }

    // A mailbox whose only job is to say which store opened it.
    private sealed class MaildirMessageStoreProbe(string name) : IVoiceMailbox
    {
        public string Name => name;
        public ValueTask<IReadOnlyList<StoredMessage>> ListAsync(CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<StoredMessage>>([]);
        public ValueTask<StoredMessage?> FindAsync(string id, CancellationToken ct) => ValueTask.FromResult<StoredMessage?>(null);
        public ValueTask<byte[]?> ReadAudioAsync(StoredMessage message, CancellationToken ct) => ValueTask.FromResult<byte[]?>(null);
        public ValueTask<StoredMessage> MarkHeardAsync(StoredMessage message, CancellationToken ct) => ValueTask.FromResult(message);
        public ValueTask<bool> DeleteAsync(StoredMessage message, CancellationToken ct) => ValueTask.FromResult(false);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static readonly ImapSettings Imap = ImapSettings.From(new UmServer
    {
        Name = "um1", ImapHost = "imap.example.test:143", ImapUser = "openum", ImapPasswordFile = "/etc/openum/imap-password",
    })!;
    private static readonly SmartHostSettings SmartHost = SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "smtp.example.test:25" })!;

    [Theory]
    [InlineData(true, true, "imap")]
    [InlineData(true, false, "imap")]
    [InlineData(false, true, "empty")]
    [InlineData(false, false, "maildir")]
    public async Task TheSettingsChooseTheStore(bool imapSet, bool smartHostSet, string expected)
    {
        var (imap, local) = (new NamedStore("imap"), new NamedStore("maildir"));
        var store = new VoiceMessageStore(() => imapSet ? Imap : null, imap, () => smartHostSet ? SmartHost : null, local);

        await using var box = await store.OpenAsync("alice@example.com", None);
        string opened = box is MaildirMessageStoreProbe probe ? probe.Name : "empty";
        Assert.Equal(expected, opened);
        Assert.Equal(expected == "imap" ? ["alice@example.com"] : [], imap.Opened);
        Assert.Equal(expected == "maildir" ? ["alice@example.com"] : [], local.Opened);

        var counts = await store.CountAsync("alice@example.com", None);
        Assert.Equal(expected switch { "imap" => new MessageCounts(3, 4), "maildir" => new MessageCounts(1, 2), _ => default }, counts);
    }

    [Fact]
    public async Task TheSettingsAreReadAtEachOpening()
    {
        var (imap, local) = (new NamedStore("imap"), new NamedStore("maildir"));
        ImapSettings? current = null;
        var store = new VoiceMessageStore(() => current, imap, () => null, local);
        await (await store.OpenAsync("a@example.com", None)).DisposeAsync();
        current = Imap;
        await (await store.OpenAsync("b@example.com", None)).DisposeAsync();
        Assert.Equal(["a@example.com"], local.Opened);
        Assert.Equal(["b@example.com"], imap.Opened);
    }

    [Fact]
    public async Task WithoutAnImapStoreTheOldConstructorsKeepTheirRule()
    {
        var local = new NamedStore("maildir");
        SmartHostSettings? smart = SmartHost;
        var store = new VoiceMessageStore(() => smart, local);
        Assert.Empty(await (await store.OpenAsync("a@example.com", None)).ListAsync(None));
        Assert.Empty(local.Opened);
        smart = null;
        await store.OpenAsync("a@example.com", None);
        Assert.Equal(["a@example.com"], local.Opened);
    }
}
