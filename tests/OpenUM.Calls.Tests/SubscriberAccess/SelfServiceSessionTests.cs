using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Sip;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.SubscriberAccess;

/// <summary>
/// Self-service by phone over a fake line that answers prompts with keys, against a real SQLite store, PIN checks and
/// greetings folder: the forced PIN change, the main menu, recordings reviewed and accepted, the away greeting.
/// </summary>
public sealed class SelfServiceSessionTests : IDisposable
{
    private const string GoodPin = "593028";
    private static readonly PromptLibrary Prompts = PromptLibrary.Default;
    private static readonly SubscriberPrompts P = Prompts.Subscriber;
    private static readonly SelfServicePrompts S = P.SelfService;
    private static readonly DialPlan Plan = new() { Name = "Test", NumberOfDigitsInExtension = 4, LogonFailuresBeforeDisconnect = 3 };
    private readonly FakeTimeProvider _time = new();
    private readonly TimerWheel _wheel;
    private readonly DtmfCollector _keys;
    private readonly Line _line;
    private readonly FakeLogger _events = new();
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-selfservice-").FullName;
    private readonly SqliteConfigurationStore _store;
    private readonly PinAuthenticator _pins;

    public SelfServiceSessionTests()
    {
        _wheel = new TimerWheel(_time);
        _keys = new DtmfCollector(_wheel);
        _line = new Line(_keys);
        _store = new SqliteConfigurationStore(Path.Combine(_root, "config.db"));
        _store.AddDialPlan(Plan);
        _store.AddMailbox(new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test" });
        _pins = new PinAuthenticator(_store, TimeProvider.System);
        Assert.Null(_pins.SetPin("Test", "1000", "418527"));
    }

    public void Dispose()
    {
        _wheel.Dispose();
        _store.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    /// <summary>A caller: keys pressed when a prompt is heard, takes recorded in turn (tone frequencies; 0 = silence).</summary>
    private sealed class Line(DtmfCollector keys) : ISubscriberLine
    {
        private readonly List<AudioClip> _played = [];
        private readonly Dictionary<AudioClip, Queue<string>> _answers = [];
        public Queue<int> Takes { get; } = new();
        public List<string> RecordedPaths { get; } = [];
        public Func<CancellationToken, Task>? WhileRecording { get; set; }
        public List<AudioClip> Played { get { lock (_played) return [.. _played]; } }

        public void Answer(AudioClip prompt, params string[] keyGroups)
        {
            if (!_answers.TryGetValue(prompt, out var queue)) _answers[prompt] = queue = new();
            foreach (var group in keyGroups) queue.Enqueue(group);
        }

        public Task PlayAsync(AudioClip clip, CancellationToken ct)
        {
            lock (_played) _played.Add(clip);
            if (_answers.TryGetValue(clip, out var queue) && queue.TryDequeue(out var answer))
                foreach (char c in answer) keys.OnDigit(c);
            return Task.CompletedTask;
        }

        public async Task<RecordingResult> RecordAsync(string wavPath, RecordingLimits limits, CancellationToken ct)
        {
            RecordedPaths.Add(wavPath);
            using (var writer = new WavWriter(wavPath))
            {
                int hz = Takes.Dequeue();
                var take = hz == 0 ? new short[4000] : AudioClip.Tone(hz, TimeSpan.FromMilliseconds(500)).Samples.ToArray();
                writer.Write(take);
                writer.Complete();
            }
            if (WhileRecording is { } wait) await wait(ct);
            return new RecordingResult(RecordingStopReason.StopDigit, TimeSpan.FromMilliseconds(500), wavPath);
        }
    }

    private SubscriberSession Session(ISelfService? self = null) =>
        new(_line, _keys, new SubscriberSessionContext(Plan, "call-1", "5551", (ext, pin) => _pins.LogonAsync(Plan.Name, ext, pin),
            new VoiceMessageStore(() => null, Path.Combine(_root, "maildir")),
            (_, _, m) => new OutdialingDecision(false, null, m.CallerId, null, null, null, OutdialingReason.UntrustedCallerId, "test"),
            P, Prompts.Digits, _events)
        {
            SelfService = self ?? new PhoneSelfService(_pins, _store, _root),
        });

    private Mailbox Box => _store.GetMailbox("Test", "1000")!;

    private bool Logged(string text) => _events.Collector.GetSnapshot().Any(r =>
        r.Message.Contains(text, StringComparison.Ordinal) || r.Fields().Any(f => f.Value?.Contains(text, StringComparison.Ordinal) == true));

    private void Type(string keys)
    {
        foreach (char c in keys) _keys.OnDigit(c);
    }

    private static AudioClip ToneClip(int hz) => AudioClip.Tone(hz, TimeSpan.FromMilliseconds(500));

    [Fact]
    public async Task APinResetByTheAdministratorMustBeChangedFirst_RefusalsAreSpokenAndTheGoodPinIsKept()
    {
        string reset = _pins.ResetPin("Test", "1000");
        Type("1000#" + reset + "#");
        // Breaks the policy (one digit repeated), then two entries that differ, then a good one; then the messages.
        _line.Answer(S.ChoosePin, "111111#", "482915#", GoodPin + "#");
        _line.Answer(S.ConfirmPin, "111111#", "482916#", GoodPin + "#");
        _line.Answer(S.MainMenu, "1");

        var end = await Session().RunAsync(CancellationToken.None);

        Assert.Equal(SubscriberSessionEnd.Completed, end);
        var played = _line.Played;
        Assert.True(played.IndexOf(S.PinMustChange) < played.IndexOf(S.ChoosePin));
        Assert.Equal(3, played.Count(c => c == S.ChoosePin));
        Assert.Single(played, S.PinRejected);
        Assert.Single(played, S.PinsDiffer);
        Assert.True(played.IndexOf(S.PinChanged) < played.IndexOf(S.MainMenu));
        Assert.Same(P.NoMessages, played[^1]);

        Assert.Single(_events.Records(2083));
        var refused = _events.Records(2085);
        Assert.Equal(2, refused.Count);
        Assert.Contains("common patterns", refused[0].Field<string>("Reason"));
        Assert.Contains("differ", refused[1].Field<string>("Reason"));
        Assert.True(Assert.Single(_events.Records(2084)).Field<bool>("Forced"));
        Assert.Single(_events.Records(1036)); // logged on once the PIN was changed
        Assert.False(Logged(reset) || Logged(GoodPin) || Logged("111111") || Logged("48291"), "a PIN was logged");

        Assert.False(_store.GetPin("Test", "1000")!.MustChange);
        Assert.Equal(LogonResult.Success, (await _pins.LogonAsync("Test", "1000", GoodPin.AsMemory())).Result);
    }

    [Fact]
    public async Task APinThatMustChangeGetsNoFurtherThanTheChangeAfterThreeRefusals()
    {
        string reset = _pins.ResetPin("Test", "1000");
        Type("1000#" + reset + "#");
        _line.Answer(S.ChoosePin, "123456#", reset + "#", "1000777#");
        _line.Answer(S.ConfirmPin, "123456#", reset + "#", "1000777#");

        var end = await Session().RunAsync(CancellationToken.None);

        Assert.Equal(SubscriberSessionEnd.PinNotChanged, end);
        Assert.Equal(SubscriberSession.MaxPinChangeAttempts, _line.Played.Count(c => c == S.PinRejected));
        Assert.Same(P.TooManyFailures, _line.Played[^1]);
        Assert.DoesNotContain(S.MainMenu, _line.Played);
        Assert.DoesNotContain(1036, _events.EventIds());
        Assert.Contains(_events.Records(2085), r => r.Field<string>("Reason").Contains("used recently", StringComparison.Ordinal));
        Assert.True(_store.GetPin("Test", "1000")!.MustChange);
    }

    [Fact]
    public async Task WithoutSelfServiceAPinThatMustChangeIsRefusedAsBefore()
    {
        string reset = _pins.ResetPin("Test", "1000");
        Type("1000#" + reset + "#");
        var session = new SubscriberSession(_line, _keys, new SubscriberSessionContext(Plan, "call-1", "5551",
            (ext, pin) => _pins.LogonAsync(Plan.Name, ext, pin), new VoiceMessageStore(() => null, Path.Combine(_root, "maildir")),
            (_, _, m) => new OutdialingDecision(false, null, m.CallerId, null, null, null, OutdialingReason.UntrustedCallerId, "test"),
            P, Prompts.Digits, _events));
        Assert.Equal(SubscriberSessionEnd.Refused, await session.RunAsync(CancellationToken.None));
        Assert.Same(P.AccessDenied, _line.Played[^1]);
    }

    [Fact]
    public async Task AGreetingRecordedReviewedAndAcceptedIsWhatCallersHear()
    {
        Type("1000#418527#");
        _line.Answer(S.MainMenu, "6", "1");
        _line.Answer(S.PersonalOptions, "2", "*");
        _line.Takes.Enqueue(440);
        _line.Takes.Enqueue(880);
        // First take: hear it, then record again; second take: accept.
        _line.Answer(S.ReviewRecording, "1", "3", "2");

        var end = await Session().RunAsync(CancellationToken.None);

        Assert.Equal(SubscriberSessionEnd.Completed, end);
        var played = _line.Played;
        Assert.Equal(2, played.Count(c => c == S.RecordGreeting));
        int heard = played.FindIndex(c => c.Samples.Span.SequenceEqual(ToneClip(440).Samples.Span));
        Assert.True(heard > played.IndexOf(S.ReviewRecording), "the first take was not played back on 1");
        Assert.Contains(S.RecordingSaved, played);

        var mailbox = Box;
        Assert.Equal("greetings/Test-1000.wav", mailbox.GreetingFile);
        var stored = GreetingStore.Load(_root, mailbox, GreetingKind.Personal, out var problem)!;
        Assert.Null(problem);
        Assert.Equal(ToneClip(880).Samples.ToArray(), stored.Samples.ToArray());
        Assert.Equal(GreetingStore.FileMode, File.GetUnixFileMode(Path.Combine(_root, "greetings", "Test-1000.wav")));
        var saved = Assert.Single(_events.Records(2086));
        Assert.Equal("greeting", saved.Field<string>("Kind"));
        // No take left behind: the recordings were made in hidden files that are gone.
        Assert.All(_line.RecordedPaths, p => Assert.False(File.Exists(p)));
        Assert.Single(System.IO.Directory.GetFiles(Path.Combine(_root, "greetings")));

        var parts = MailboxGreeting.Parts(_root, mailbox, "1000", Prompts, p => Assert.Fail(p));
        Assert.Equal(ToneClip(880).Samples.ToArray(), Assert.Single(parts).Samples.ToArray());
    }

    [Fact]
    public async Task TheAwayGreetingReplacesTheGreetingWhileOn_AndTheSpokenNameNamesTheUserInTheDefaultOne()
    {
        Type("1000#418527#");
        _line.Answer(S.MainMenu, "6", "6", "1");
        // Record the name, then the away greeting, turn away on; then (second visit) off again.
        _line.Answer(S.PersonalOptions, "4", "3", "1", "*", "1", "*");
        _line.Takes.Enqueue(300);
        _line.Takes.Enqueue(600);
        _line.Answer(S.ReviewRecording, "2", "2");
        var awayInStore = new List<bool>();
        _line.Answer(S.AwayOn);
        var self = new Watching(new PhoneSelfService(_pins, _store, _root), () => awayInStore.Add(Box.Away));

        Assert.Equal(SubscriberSessionEnd.Completed, await Session(self).RunAsync(CancellationToken.None));
        Assert.Equal(["on", "off"], _events.Records(2088).Select(r => r.Field<string>("State")));
        Assert.Equal([true, false], awayInStore); // stored at once, as mailbox set --away does
        Assert.True(_line.Played.IndexOf(S.AwayOn) < _line.Played.IndexOf(S.AwayOff));
        Assert.False(Box.Away);

        // While away: the away greeting. The name stands for the extension in the default greeting otherwise.
        var name = GreetingStore.SpokenName(_root, Box)!;
        Assert.Equal(ToneClip(300).Samples.ToArray(), name.Samples.ToArray());
        var heardWhileAway = MailboxGreeting.Parts(_root, Box with { Away = true }, "1000", Prompts, p => Assert.Fail(p));
        Assert.Equal(ToneClip(600).Samples.ToArray(), Assert.Single(heardWhileAway).Samples.ToArray());
        var normal = MailboxGreeting.Parts(_root, Box, "1000", Prompts, p => Assert.Fail(p));
        Assert.Equal(3, normal.Count);
        Assert.Same(Prompts.YouHaveReached, normal[0]);
        Assert.Equal(name.Samples.ToArray(), normal[1].Samples.ToArray());
        Assert.Same(Prompts.GreetingSuffix, normal[2]);
        Assert.Equal(["spoken name", "away greeting"], _events.Records(2086).Select(r => r.Field<string>("Kind")));
    }

    [Fact]
    public void AwayWithoutAnAwayGreetingPlaysThePersonalOrDefaultGreeting()
    {
        var away = Box with { Away = true };
        Assert.Equal([.. Prompts.DefaultGreetingParts("1000")], MailboxGreeting.Parts(_root, away, "1000", Prompts, p => Assert.Fail(p)));
        string file = GreetingStore.StoreRecording(_root, away, GreetingKind.Personal, WavOf(ToneClip(700)));
        var parts = MailboxGreeting.Parts(_root, away with { GreetingFile = file }, "1000", Prompts, p => Assert.Fail(p));
        Assert.Equal(ToneClip(700).Samples.ToArray(), Assert.Single(parts).Samples.ToArray());
        // A broken away greeting is reported and skipped.
        File.WriteAllText(Path.Combine(_root, "greetings", GreetingStore.FileNameFor("Test", "1000", GreetingKind.Away)), "not a wav");
        var problems = new List<string>();
        parts = MailboxGreeting.Parts(_root, away with { GreetingFile = file }, "1000", Prompts, problems.Add);
        Assert.Equal(ToneClip(700).Samples.ToArray(), Assert.Single(parts).Samples.ToArray());
        Assert.Contains("Test-1000-away.wav", Assert.Single(problems));
    }

    [Fact]
    public async Task SilenceIsNotRecorded_AndASettingTheStoreCannotTakeIsSaidSo()
    {
        Type("1000#418527#");
        _line.Answer(S.MainMenu, "6", "1");
        _line.Answer(S.PersonalOptions, "2", "1", "*");
        _line.Takes.Enqueue(0);   // silence
        _line.Takes.Enqueue(500);
        _line.Answer(S.ReviewRecording, "2");
        var end = await Session(new Unavailable(new PhoneSelfService(_pins, _store, _root))).RunAsync(CancellationToken.None);

        Assert.Equal(SubscriberSessionEnd.Completed, end);
        Assert.Contains(S.NothingRecorded, _line.Played);
        Assert.Equal(2, _line.Played.Count(c => c == S.RecordingNotSaved || c == S.SettingsUnavailable));
        Assert.Equal("disk full", Assert.Single(_events.Records(2087)).Field<string>("Problem"));
        Assert.Equal("disk full", Assert.Single(_events.Records(2089)).Field<string>("Problem"));
        Assert.Null(Box.GreetingFile);
        Assert.False(Box.Away);
        Assert.False(System.IO.Directory.EnumerateFiles(Path.Combine(_root, "greetings")).Any());
    }

    [Fact]
    public async Task HangingUpDuringARecordingLeavesNothing()
    {
        using var hangUp = new CancellationTokenSource();
        Type("1000#418527#");
        _line.Answer(S.MainMenu, "6");
        _line.Answer(S.PersonalOptions, "3");
        _line.Takes.Enqueue(440);
        _line.WhileRecording = async ct =>
        {
            await hangUp.CancelAsync();
            ct.ThrowIfCancellationRequested();
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Session().RunAsync(hangUp.Token));
        Assert.False(System.IO.Directory.EnumerateFiles(Path.Combine(_root, "greetings"), "*", SearchOption.AllDirectories).Any());
        Assert.Empty(_events.Records(2086));
    }

    [Fact]
    public void RecordingFileNamesCannotCollide()
    {
        Assert.Equal("Test-1000.wav", GreetingStore.FileNameFor("Test", "1000", GreetingKind.Personal));
        Assert.Equal("Test-1000-away.wav", GreetingStore.FileNameFor("Test", "1000", GreetingKind.Away));
        Assert.Equal("Test-1000-name.wav", GreetingStore.FileNameFor("Test", "1000", GreetingKind.Name));
        Assert.Equal("Main_Site-1000.wav", GreetingStore.FileNameFor("Main Site", "1000", GreetingKind.Personal));
        Assert.Equal("Z_rich____x-1000-name.wav", GreetingStore.FileNameFor("Z\u00FCrich/../x", "1000", GreetingKind.Name));
        Assert.Throws<InvalidDataException>(() => GreetingStore.StoreRecording(_root, Box, GreetingKind.Name, "not a wav"u8.ToArray()));
        Assert.Null(GreetingStore.SpokenName(_root, Box));
    }

    [Fact]
    public void TheNewPromptsAreDistinctAudibleSpeech()
    {
        var clips = typeof(SelfServicePrompts).GetProperties().Select(p => (AudioClip)p.GetValue(S)!).Append(Prompts.YouHaveReached).ToList();
        Assert.Equal(19, clips.Count);
        Assert.All(clips, c =>
        {
            Assert.True(c.Duration > TimeSpan.FromSeconds(0.5));
            double rms = Math.Sqrt(c.Samples.ToArray().Average(x => (double)x * x));
            Assert.True(rms > 500, "a prompt must hold audible speech");
        });
        Assert.Equal(clips.Count, clips.Select(c => c.Samples.Length).Distinct().Count());
    }

    private static byte[] WavOf(AudioClip clip)
    {
        using var buffer = new MemoryStream();
        using (var writer = new WavWriter(buffer))
        {
            writer.Write(clip.Samples.Span);
            writer.Complete();
        }
        return buffer.ToArray();
    }

    /// <summary>Runs <paramref name="after"/> after each away switch.</summary>
    private sealed class Watching(ISelfService inner, Action after) : ISelfService
    {
        public Task<SelfServiceOutcome> ChangePinAsync(Mailbox mailbox, string pin) => inner.ChangePinAsync(mailbox, pin);
        public string NewRecordingPath() => inner.NewRecordingPath();
        public Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SaveRecordingAsync(Mailbox mailbox, GreetingKind kind, string recordingPath) =>
            inner.SaveRecordingAsync(mailbox, kind, recordingPath);
        public async Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SetAwayAsync(Mailbox mailbox, bool away)
        {
            var result = await inner.SetAwayAsync(mailbox, away);
            after();
            return result;
        }
    }

    /// <summary>A store and data directory that cannot take anything (an outage, a full disk).</summary>
    private sealed class Unavailable(ISelfService inner) : ISelfService
    {
        private static readonly SelfServiceOutcome Full = new(SelfServiceResult.Unavailable, "disk full");
        public Task<SelfServiceOutcome> ChangePinAsync(Mailbox mailbox, string pin) => Task.FromResult(Full);
        public string NewRecordingPath() => inner.NewRecordingPath();
        public Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SaveRecordingAsync(Mailbox mailbox, GreetingKind kind, string recordingPath) =>
            Task.FromResult((Full, mailbox));
        public Task<(SelfServiceOutcome Outcome, Mailbox Mailbox)> SetAwayAsync(Mailbox mailbox, bool away) => Task.FromResult((Full, mailbox));
    }
}
