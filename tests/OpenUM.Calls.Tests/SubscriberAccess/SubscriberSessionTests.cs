using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Sip;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.SubscriberAccess;

/// <summary>The subscriber access state machine over a fake line (plays nothing, records what it was asked to play).</summary>
public sealed class SubscriberSessionTests : IDisposable
{
    private static readonly PromptLibrary Prompts = PromptLibrary.Default;
    private static readonly SubscriberPrompts P = Prompts.Subscriber;
    private static readonly DialPlan Plan = new() { Name = "Test", NumberOfDigitsInExtension = 4, LogonFailuresBeforeDisconnect = 3 };
    private static readonly Mailbox Box = new() { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test" };
    private readonly FakeTimeProvider _time = new();
    private readonly TimerWheel _wheel;
    private readonly DtmfCollector _keys;
    private readonly Line _line = new();
    private readonly FakeLogger _events = new();
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-subscriber-").FullName;
    private readonly List<string> _pinsTried = [];
    private readonly List<string> _extensionsTried = [];

    public SubscriberSessionTests()
    {
        _wheel = new TimerWheel(_time);
        _keys = new DtmfCollector(_wheel);
    }

    public void Dispose()
    {
        _wheel.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    private sealed class Line : ISubscriberLine
    {
        private readonly List<AudioClip> _played = [];
        public List<AudioClip> Played { get { lock (_played) return [.. _played]; } }
        public Task PlayAsync(AudioClip clip, CancellationToken ct)
        {
            lock (_played) _played.Add(clip);
            return Task.CompletedTask;
        }
    }

    private static readonly SmartHostSettings SmartHost = SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "smtp.example.test:25" })!;

    private SubscriberSession Session(Func<string, string, LogonOutcome> logon, bool smtp = false,
        Func<StoredMessage, OutdialingDecision>? callBack = null, Func<StoredMessage, OutdialingDecision, Task<bool>>? transfer = null,
        IVoiceMessageStore? messages = null, string? callerExtension = null, PromptLibrary? prompts = null,
        Func<Mailbox, PromptLibrary>? mailboxPrompts = null) =>
        new(_line, _keys, new SubscriberSessionContext(Plan, "call-1", "5551", (ext, pin) =>
            {
                _extensionsTried.Add(ext);
                _pinsTried.Add(pin.ToString());
                return ValueTask.FromResult(logon(ext, pin.ToString()));
            },
            messages ?? new VoiceMessageStore(() => smtp ? SmartHost : null, Path.Combine(_root, "maildir")),
            (_, _, m) => callBack?.Invoke(m) ?? new OutdialingDecision(false, null, m.CallerId, null, null, null, OutdialingReason.UntrustedCallerId, "test"),
            (prompts ?? Prompts).Subscriber, (prompts ?? Prompts).Digits, _events, transfer is null ? null : (_, m, d, _) => transfer(m, d))
        { CallerExtension = callerExtension, MailboxPrompts = mailboxPrompts });

    // Whether any event carries the text, in a field or its message (PINs never may).
    private bool Logged(string text) => _events.Collector.GetSnapshot().Any(r =>
        r.Message.Contains(text, StringComparison.Ordinal) || r.Fields().Any(f => f.Value?.Contains(text, StringComparison.Ordinal) == true));

    private static LogonOutcome Wrong(int n) => new(LogonResult.WrongPin, n, null, Box);
    private static LogonOutcome Ok() => new(LogonResult.Success, 0, null, Box);

    private void Type(string keys)
    {
        foreach (char c in keys) _keys.OnDigit(c);
    }

    private async Task<string> PlantAsync(string callerId, DateTimeOffset at, int samples = 800)
    {
        string wav = Path.Combine(_root, $"audio-{at.ToUnixTimeSeconds()}.wav");
        using (var writer = new WavWriter(wav))
        {
            writer.Write(AudioClip.Tone(440, TimeSpan.FromMilliseconds(samples / 8.0)).Samples.Span);
            writer.Complete();
        }
        var sink = new MaildirSink(Path.Combine(_root, "maildir"), time: new FakeTimeProvider(at));
        return await sink.DeliverAsync(new VoiceMessage(Box.EmailAddress, "", callerId, null, "1000", at, TimeSpan.FromSeconds(1), wav, "c" + at.Ticks), CancellationToken.None);
    }

    [Fact]
    public async Task WrongPinsUntilLogonFailuresBeforeDisconnectEndTheCallWith1013()
    {
        int failures = 0;
        Type("1000#1111#2222#3333#");
        var end = await Session((_, _) => Wrong(++failures)).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.TooManyFailures, end);
        Assert.Equal(["1111", "2222", "3333"], _pinsTried);
        Assert.Equal(2, _line.Played.Count(c => c == P.WrongPin));
        Assert.Same(P.TooManyFailures, _line.Played[^1]);
        var logged = Assert.Single(_events.Records(1013));
        Assert.Equal(3, logged.Field<int>("Failures"));
        Assert.False(Logged("1111") || Logged("3333"), "a PIN was logged");
    }

    [Fact]
    public async Task LockoutSays_MailboxLocked_AndLogs1012()
    {
        Type("1000#1111#");
        var end = await Session((_, _) => new LogonOutcome(LogonResult.LockedOut, 15, null, Box)).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.LockedOut, end);
        Assert.Same(P.MailboxLocked, _line.Played[^1]);
        Assert.Contains(1012, _events.EventIds());
        Assert.DoesNotContain(1036, _events.EventIds());
    }

    [Fact]
    public async Task ACallerKnownByTheCallIsAskedOnlyForThePin()
    {
        // A SipName plan's user calling from their own SIP address: the call gives the extension, keys give the PIN.
        int failures = 0;
        Type("1111#2222#");
        var end = await Session((_, pin) => pin == "2222" ? Ok() : Wrong(++failures), callerExtension: "1000").RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.DoesNotContain(P.EnterExtension, _line.Played);
        Assert.Equal(2, _line.Played.Count(c => c == P.EnterPin));
        Assert.Equal(["1000", "1000"], _extensionsTried);
        Assert.Equal(["1111", "2222"], _pinsTried);
    }

    [Fact]
    public async Task UnknownExtensionAsksForTheExtensionAgain()
    {
        Type("9999#1111#1000#2222#");
        var end = await Session((ext, _) => ext == "1000" ? Ok() : new LogonOutcome(LogonResult.UnknownMailbox, 0, null, null))
            .RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Equal(2, _line.Played.Count(c => c == P.EnterExtension));
        Assert.Contains(P.InvalidExtension, _line.Played);
        Assert.Contains(1036, _events.EventIds());
        Assert.Same(P.NoMessages, _line.Played[^1]); // empty store
    }

    [Fact]
    public async Task NoKeysAtAllTimesOut()
    {
        var run = Session((_, _) => Ok()).RunAsync(CancellationToken.None);
        Assert.False(run.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(SubscriberSessionEnd.NoInput, await run);
    }

    [Fact]
    public async Task MessagesNewestFirst_HeardMoveToCur_DeleteMovesToTrash()
    {
        var older = await PlantAsync("5551234", DateTimeOffset.Parse("2026-01-01T10:00:00Z"), samples: 1600);
        var newer = await PlantAsync("5559876", DateTimeOffset.Parse("2026-01-02T10:00:00Z"), samples: 2400);
        // Log on, then: newest message -> 6 (next); older -> 3 (delete).
        Type("1000#123456#63");
        var end = await Session((_, _) => Ok()).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);

        // "You have two new messages."
        int you = _line.Played.IndexOf(P.YouHave);
        Assert.Equal([P.YouHave, Prompts.Digits("2").Single(), P.NewMessages], _line.Played.Skip(you).Take(3));
        // Key presses were typed ahead, so every interruptible clip was skipped: the audio is checked on a second run below.
        Assert.Same(P.MessageDeleted, _line.Played[^2]);
        Assert.Same(P.NoMoreMessages, _line.Played[^1]);

        var store = await new MaildirMessageStore(Path.Combine(_root, "maildir")).OpenAsync(Box.EmailAddress, CancellationToken.None);
        var left = Assert.Single(await store.ListAsync(CancellationToken.None));
        Assert.False(left.IsNew);
        Assert.Equal("5559876", left.CallerId);
        string folder = Path.GetDirectoryName(Path.GetDirectoryName(newer))!;
        Assert.Equal(Path.GetFileName(newer) + ":2,S", Path.GetFileName(Assert.Single(System.IO.Directory.GetFiles(Path.Combine(folder, "cur")))));
        Assert.True(File.Exists(Path.Combine(folder, ".Trash", "cur", Path.GetFileName(older) + ":2,ST")));
        Assert.Contains(2031, _events.EventIds());
    }

    [Fact]
    public async Task BeforeLogonTheDialPlansLanguage_AfterItTheMailboxs()
    {
        var french = Prompts.For("fr-FR");
        await PlantAsync("42", DateTimeOffset.Parse("2026-01-02T10:00:00Z"), samples: 800);
        Type("1000#123456#6");
        Mailbox? asked = null;
        var end = await Session((_, _) => Ok(), mailboxPrompts: m => { asked = m; return french; }).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Same(Box, asked);
        var played = _line.Played;
        // The dial plan speaks English until the caller is known ...
        Assert.Equal([P.EnterExtension, P.EnterPin], played.Take(2));
        // ... then the mailbox's language: « Vous avez un nouveau message. », not "You have one new message."
        Assert.Equal([french.Clip("you-have"), french.Clip("digit-1"), french.Clip("new-message")], played.Skip(2).Take(3));
        Assert.DoesNotContain(P.YouHave, played);
        Assert.Same(french.Subscriber.NoMoreMessages, played[^1]);
    }

    [Fact]
    public async Task MessageAudioAndCallerDigitsArePlayed_ThenReplayAndNext()
    {
        await PlantAsync("42", DateTimeOffset.Parse("2026-01-02T10:00:00Z"), samples: 2400);
        Type("1000#123456#");
        var run = Session((_, _) => Ok()).RunAsync(CancellationToken.None);
        Type("1"); // replay
        await UntilAsync(() => _line.Played.Count(c => c == P.MessageMenu) == 2); // the replayed message reached its menu
        Type("6"); // next: none left
        Assert.Equal(SubscriberSessionEnd.Completed, await run);
        int from = _line.Played.IndexOf(P.MessageFrom);
        Assert.True(from > 0);
        Assert.Equal([.. Prompts.Digits("42")], _line.Played.Skip(from + 1).Take(2));
        var audio = _line.Played[from + 3];
        Assert.Equal(2400, audio.Samples.Length); // the WAV attachment, decoded from the MIME file
        Assert.Equal(2, _line.Played.Count(c => c == P.MessageFrom)); // played, then replayed
    }

    private async Task UntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 5000 && !condition(); i++) await Task.Delay(1);
    }

    [Fact]
    public async Task CallBackDeniedSaysTheNumberCannotBeCalled()
    {
        await PlantAsync("0044207946000", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        StoredMessage? asked = null;
        Type("1000#123456#56");
        var end = await Session((_, _) => Ok(), callBack: m =>
        {
            asked = m;
            return new OutdialingDecision(false, null, m.CallerId, null, null, null, OutdialingReason.UntrustedCallerId, "caller ID");
        }).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Equal("0044207946000", asked?.CallerId);
        Assert.Contains(P.CannotCall, _line.Played);
    }

    private static OutdialingDecision Allowed(StoredMessage m) =>
        new(true, NumberKind.National, m.CallerId, "Mobile", "Mobile", "9" + m.CallerId, OutdialingReason.Allowed, "allowed") { Gateway = "gw" };

    [Fact]
    public async Task CallBackAllowedSaysTransferringAndEndsTheSessionWhenTransferred()
    {
        await PlantAsync("0612345678", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        OutdialingDecision? transferred = null;
        Type("1000#123456#5");
        var end = await Session((_, _) => Ok(), callBack: Allowed, transfer: (_, d) =>
        {
            transferred = d;
            return Task.FromResult(true);
        }).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Transferred, end);
        Assert.Equal("90612345678", transferred?.DialedNumber);
        Assert.Same(P.TransferringCall, _line.Played[^1]); // nothing after: the line belongs to the new call
        Assert.DoesNotContain(P.CannotCall, _line.Played);
    }

    [Fact]
    public async Task CallBackWhoseTransferFailsSaysSoAndReturnsToTheMenu()
    {
        await PlantAsync("0612345678", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        int attempts = 0;
        Type("1000#123456#56");
        var end = await Session((_, _) => Ok(), callBack: Allowed, transfer: (_, _) =>
        {
            attempts++;
            return Task.FromResult(false);
        }).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Equal(1, attempts);
        int said = _line.Played.IndexOf(P.TransferFailed);
        Assert.True(said > 0 && _line.Played[said - 1] == P.TransferringCall);
        // Back to the menu, whose key read took the 6 typed ahead (so its prompt was skipped): next message, none left.
        Assert.Equal([P.NoMoreMessages], _line.Played.Skip(said + 1));
    }

    [Fact]
    public async Task CallBackAllowedWithoutTransferSaysTheCallCouldNotBeTransferred()
    {
        await PlantAsync("0612345678", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        Type("1000#123456#56");
        var end = await Session((_, _) => Ok(), callBack: Allowed).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Contains(P.TransferFailed, _line.Played);
    }

    [Fact]
    public async Task WithSmtpDeliveryThereAreNoLocalMessages()
    {
        await PlantAsync("42", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        Type("1000#123456#");
        await Session((_, _) => Ok(), smtp: true).RunAsync(CancellationToken.None);
        Assert.Same(P.NoMessages, _line.Played[^1]);
    }

    private sealed class UnavailableStore : IVoiceMessageStore
    {
        public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct) =>
            throw new MessageStoreUnavailableException("imap.example.test:993: Connection refused");

        public ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct) =>
            throw new MessageStoreUnavailableException("imap.example.test:993: Connection refused");
    }

    /// <summary>The maildir store, counting the mailboxes opened and disposed (an IMAP mailbox holds a connection until disposed).</summary>
    private sealed class CountingStore(IVoiceMessageStore inner) : IVoiceMessageStore
    {
        public int Opened, Disposed;

        public async ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct)
        {
            Opened++;
            return new Counted(await inner.OpenAsync(emailAddress, ct), this);
        }

        public ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct) => inner.CountAsync(emailAddress, ct);

        private sealed class Counted(IVoiceMailbox box, CountingStore owner) : IVoiceMailbox
        {
            public ValueTask<IReadOnlyList<StoredMessage>> ListAsync(CancellationToken ct) => box.ListAsync(ct);
            public ValueTask<StoredMessage?> FindAsync(string id, CancellationToken ct) => box.FindAsync(id, ct);
            public ValueTask<byte[]?> ReadAudioAsync(StoredMessage message, CancellationToken ct) => box.ReadAudioAsync(message, ct);
            public ValueTask<StoredMessage> MarkHeardAsync(StoredMessage message, CancellationToken ct) => box.MarkHeardAsync(message, ct);
            public ValueTask<bool> DeleteAsync(StoredMessage message, CancellationToken ct) => box.DeleteAsync(message, ct);

            public ValueTask DisposeAsync()
            {
                owner.Disposed++;
                return box.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheMailboxOpenedForTheMessagesIsDisposedWhenTheyAreDone()
    {
        await PlantAsync("5551234", DateTimeOffset.Parse("2026-01-02T10:00:00Z"));
        var store = new CountingStore(new MaildirMessageStore(Path.Combine(_root, "maildir")));
        Type("1000#123456#6");
        var end = await Session((_, _) => Ok(), messages: store).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Equal((1, 1), (store.Opened, store.Disposed));
    }

    [Fact]
    public async Task AMessageStoreThatCannotBeReachedSaysCallAgainLaterNotNoMessages()
    {
        Type("1000#123456#");
        var end = await Session((_, _) => Ok(), messages: new UnavailableStore()).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.MessagesUnavailable, end);
        Assert.Same(P.MessagesUnavailable, _line.Played[^1]);
        Assert.DoesNotContain(P.NoMessages, _line.Played);
        var logged = Assert.Single(_events.Records(2035));
        Assert.Equal("1000", logged.Field<string>("Extension"));
        Assert.Contains("Connection refused", logged.Field<string>("Reason"));
        Assert.False(Logged("123456"), "the PIN was logged");
    }

    [Fact]
    public async Task RefusedLogonSaysAccessDenied()
    {
        Type("1000#123456#");
        var end = await Session((_, _) => new LogonOutcome(LogonResult.NotAllowed, 0, null, Box)).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.Refused, end);
        Assert.Same(P.AccessDenied, _line.Played[^1]);
    }

    [Fact]
    public async Task AStoreThatCannotCheckThePinSaysTryLaterAndCountsNothing()
    {
        Type("1000#123456#");
        int attempts = 0;
        var end = await Session((_, _) =>
        {
            attempts++;
            return new LogonOutcome(LogonResult.StoreUnavailable, 0, null, null, "configuration store postgres://openum@db/openum: Connection refused");
        }).RunAsync(CancellationToken.None);
        Assert.Equal(SubscriberSessionEnd.StoreUnavailable, end);
        Assert.Equal(1, attempts);
        Assert.Same(P.PinUnavailable, _line.Played[^1]);
        Assert.DoesNotContain(P.WrongPin, _line.Played);
        var logged = Assert.Single(_events.Records(2034));
        Assert.Equal("1000", logged.Field<string>("Extension"));
        Assert.Contains("Connection refused", logged.Field<string>("Reason"));
        Assert.DoesNotContain(_events.EventIds(), id => id is 1012 or 1013 or 1036 or 2030 or 2005);
        Assert.False(Logged("123456"), "the PIN was logged");
    }
}
