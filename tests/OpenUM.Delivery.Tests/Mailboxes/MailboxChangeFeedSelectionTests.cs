using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;

namespace OpenUM.Delivery.Tests.Mailboxes;

/// <summary>
/// The feed follows the store rule: IMAP host set → the IMAP feed; else smart host → nothing is ever visible (Available,
/// silent); else the maildir's. Notices of the feed not selected are dropped; watches reach the IMAP feed either way.
/// </summary>
public sealed class MailboxChangeFeedSelectionTests
{
    private const string Address = "alice@example.com";

    private static readonly ImapSettings Imap = ImapSettings.From(new UmServer
    {
        Name = "um1", ImapHost = "imap.example.test:143", ImapUser = "openum", ImapPasswordFile = "/etc/openum/imap-password",
    })!;

    private static readonly SmartHostSettings SmartHost = SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "mail.example.test:25" })!;

    /// <summary>A feed driven by the test.</summary>
    private sealed class ScriptedFeed : IMailboxChangeFeed
    {
        public event Action<string>? MailboxChanged;
        public event Action<MessageStoreState>? StateChanged;
        public MessageStoreState State { get; set; }
        public List<string> Calls { get; } = [];
        public void Watch(string emailAddress) => Calls.Add("watch " + emailAddress);
        public void Unwatch(string emailAddress) => Calls.Add("unwatch " + emailAddress);
        public void DepositHint(string emailAddress) => Calls.Add("hint " + emailAddress);
        public void Change(string address) => MailboxChanged?.Invoke(address);
        public void Flip(MessageStoreState state)
        {
            State = state;
            StateChanged?.Invoke(state);
        }
    }

    private sealed class Setup
    {
        public ImapSettings? ImapNow { get; set; }
        public SmartHostSettings? SmartHostNow { get; set; }
        public ScriptedFeed ImapFeed { get; } = new();
        public ScriptedFeed Local { get; } = new();
        public MailboxChangeFeed Feed { get; }
        public List<string> Changed { get; } = [];
        public List<MessageStoreState> States { get; } = [];

        public Setup()
        {
            Feed = new MailboxChangeFeed(() => ImapNow, ImapFeed, () => SmartHostNow, Local);
            Feed.MailboxChanged += Changed.Add;
            Feed.StateChanged += States.Add;
        }
    }

    [Fact]
    public void ImapConfigured_TheImapFeedIsHeard_TheMaildirIsNot()
    {
        var s = new Setup { ImapNow = Imap, SmartHostNow = SmartHost };
        Assert.Same(s.ImapFeed, s.Feed.Selected);
        s.ImapFeed.Flip(MessageStoreState.Unavailable);
        Assert.Equal(MessageStoreState.Unavailable, s.Feed.State);
        Assert.Equal([MessageStoreState.Unavailable], s.States);
        s.ImapFeed.Change(Address);
        s.Local.Change("other@example.com");
        Assert.Equal([Address], s.Changed);
        s.Feed.DepositHint(Address);
        Assert.Equal(["hint " + Address], s.ImapFeed.Calls);
        Assert.Empty(s.Local.Calls);
    }

    [Fact]
    public void SmartHostWithoutImap_NothingIsEverVisible()
    {
        var s = new Setup { SmartHostNow = SmartHost };
        s.ImapFeed.State = MessageStoreState.Unavailable; // not selected: says nothing
        Assert.Equal(MessageStoreState.Available, s.Feed.State);
        s.ImapFeed.Change(Address);
        s.ImapFeed.Flip(MessageStoreState.Unavailable);
        s.Local.Change(Address);
        s.Feed.DepositHint(Address);
        Assert.Empty(s.Changed);
        Assert.Empty(s.States);
        Assert.DoesNotContain(s.ImapFeed.Calls, c => c.StartsWith("hint", StringComparison.Ordinal));
    }

    [Fact]
    public void NeitherConfigured_TheMaildirFeedIsHeard()
    {
        var s = new Setup();
        Assert.Same(s.Local, s.Feed.Selected);
        s.Local.Change(Address);
        s.ImapFeed.Change("other@example.com");
        Assert.Equal([Address], s.Changed);
        s.Feed.DepositHint(Address);
        Assert.Equal(["hint " + Address], s.Local.Calls);
    }

    [Fact]
    public void WatchesReachTheImapFeedWhateverIsSelected_SoASettingChangeFindsThemThere()
    {
        var s = new Setup { SmartHostNow = SmartHost };
        s.Feed.Watch(Address);
        s.Feed.Unwatch("bob@example.com");
        Assert.Equal(["watch " + Address, "unwatch bob@example.com"], s.ImapFeed.Calls);
        s.ImapNow = Imap; // read at each use: no restart
        s.ImapFeed.Change(Address);
        Assert.Equal([Address], s.Changed);
    }

    [Fact]
    public void WithoutAnImapFeed_AnImapSettingSelectsAsWithoutIt()
    {
        var local = new ScriptedFeed();
        var feed = new MailboxChangeFeed(() => null, local);
        Assert.Same(local, feed.Selected);
        Assert.IsNotType<ScriptedFeed>(new MailboxChangeFeed(() => SmartHost, local).Selected);
    }
}
