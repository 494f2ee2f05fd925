using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.AutoAttendants;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Directory;
using OpenUM.Directory.AutoAttendants;
using OpenUM.Directory.Dialing;
using OpenUM.Media.Audio;
using OpenUM.Sip;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.AutoAttendants;

/// <summary>The attendant's menu over a fake line: greetings by its clock, keys, operator, dial by extension and by name, restrictions.</summary>
public sealed class AttendantSessionTests : IDisposable
{
    private static readonly PromptLibrary Prompts = PromptLibrary.Default;
    private static readonly AttendantPrompts P = Prompts.Attendant;
    private static readonly AudioClip Open = AudioClip.Tone(400, TimeSpan.FromMilliseconds(100));
    private static readonly AudioClip Closed = AudioClip.Tone(600, TimeSpan.FromMilliseconds(100));
    private static readonly AudioClip Xmas = AudioClip.Tone(800, TimeSpan.FromMilliseconds(100));
    private static readonly AudioClip Directions = AudioClip.Tone(1200, TimeSpan.FromMilliseconds(100));
    private static readonly AudioClip OpenMenu = AudioClip.Tone(1400, TimeSpan.FromMilliseconds(100));
    private static readonly AudioClip ClosedMenu = AudioClip.Tone(1600, TimeSpan.FromMilliseconds(100));

    private static readonly DialPlan Plan = new()
    {
        Name = "Main", NumberOfDigitsInExtension = 4, CountryOrRegionCode = "33", InternationalAccessCode = "00", NationalNumberPrefix = "0",
        ConfiguredInternationalGroups = [new DialingRuleEntry("UK", "44*", "90044*")],
    };

    private static readonly AutoAttendant Reception = new()
    {
        Name = "Reception", DialPlan = "Main", PilotIdentifierList = ["5100"], Status = UmStatus.Enabled, TimeZone = "Europe/Paris",
        BusinessHoursSchedule = [BusinessHoursRange.Parse("Mon-Fri 08:00-18:00")],
        HolidaySchedule = [HolidayEntry.Parse("Christmas,greetings/xmas.wav,2026-12-25")],
        BusinessHoursWelcomeGreetingFile = "greetings/open.wav", AfterHoursWelcomeGreetingFile = "greetings/closed.wav",
        BusinessHoursKeyMapping = [KeyMapping.Parse("1,Sales,1001"), KeyMapping.Parse("2,London,+442079460000"),
            KeyMapping.Parse("3,Directions,,,greetings/directions.wav"), KeyMapping.Parse("4,Support,,Support")],
        AfterHoursKeyMapping = [KeyMapping.Parse("1,Duty,1002")],
    };

    private static readonly AutoAttendant Support = Reception with
    {
        Id = Guid.NewGuid(), Name = "Support", PilotIdentifierList = ["5200"], BusinessHoursWelcomeGreetingFile = "greetings/directions.wav",
        BusinessHoursKeyMapping = [KeyMapping.Parse("1,Back,,Reception")],
    };

    private static readonly Mailbox[] Boxes =
    [
        Box("1001", "Alice Martin"), Box("1002", "Bruno Martinez"), Box("1003", "Zoe Eluard"),
    ];

    // Wednesday 14 January 2026: 10:00 in Paris is business hours, 20:00 is not; 25 December is a holiday.
    private static readonly DateTimeOffset Business = new(2026, 1, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset AfterHours = new(2026, 1, 14, 19, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Christmas = new(2026, 12, 25, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Business);
    private readonly TimerWheel _wheel;
    private readonly DtmfCollector _keys;
    private readonly Line _line;
    private readonly FakeLogger _events = new();
    private readonly List<string> _transfers = [];
    private readonly Dictionary<string, AudioClip> _names = [];
    private (bool LineGone, string Outcome) _referResult = (true, "Transferred");

    public AttendantSessionTests()
    {
        _wheel = new TimerWheel(_time);
        _keys = new DtmfCollector(_wheel);
        _line = new Line(_keys);
    }

    public void Dispose() => _wheel.Dispose();

    private static Mailbox Box(string extension, string name) => new() { Extension = extension, DialPlan = "Main", DisplayName = name, EmailAddress = $"u{extension}@example.test" };

    /// <summary>Records what it plays; after a given clip it presses the keys the script says (a caller answering a prompt).</summary>
    private sealed class Line(DtmfCollector keys) : ISubscriberLine
    {
        private readonly List<AudioClip> _played = [];
        public Dictionary<AudioClip, Queue<string>> Answers { get; } = new(ReferenceEqualityComparer.Instance);
        public List<AudioClip> Played { get { lock (_played) return [.. _played]; } }
        public Task PlayAsync(AudioClip clip, CancellationToken ct)
        {
            lock (_played) _played.Add(clip);
            if (Answers.TryGetValue(clip, out var queue) && queue.TryDequeue(out var typed))
                foreach (char c in typed) keys.OnDigit(c);
            return Task.CompletedTask;
        }
    }

    private void After(AudioClip clip, params string[] typed) => _line.Answers[clip] = new Queue<string>(typed);

    private Task<string> Run(AutoAttendant? attendant = null, DateTimeOffset? at = null)
    {
        _time.SetUtcNow(at ?? Business);
        var config = new ConfigurationSnapshot(1, [Plan], [new IpGateway { Name = "pbx", Address = "pbx.example.test", OutcallsAllowed = true }],
            [new HuntGroup { Name = "hg", IpGateway = "pbx", DialPlan = "Main" }], [], Boxes, [], [Reception, Support]);
        var engine = new OutdialingEngine(new OutdialingOptions(), _time, _events);
        var greetings = new Dictionary<string, AudioClip>
        {
            ["greetings/open.wav"] = Open, ["greetings/closed.wav"] = Closed, ["greetings/xmas.wav"] = Xmas, ["greetings/directions.wav"] = Directions,
            ["greetings/menu-open.wav"] = OpenMenu, ["greetings/menu-closed.wav"] = ClosedMenu,
        };
        var context = new AttendantContext(config, Plan, attendant ?? Reception, "call-1", "5551", _time, Prompts,
            f => greetings.GetValueOrDefault(f),
            (a, number) => engine.Authorize(new OutdialingRequest
            {
                Configuration = config, DialPlan = Plan, Restrictions = OutdialingRestrictions.ForAutoAttendant(a), Number = number, User = "caller 5551",
            }),
            (dialed, _) =>
            {
                _transfers.Add(dialed);
                var result = _referResult;
                _referResult = (true, "Transferred");
                return Task.FromResult(result);
            }, _events) { SpokenName = m => _names.GetValueOrDefault(m.Extension) };
        var session = new AttendantSession(_line, _keys, context, new AttendantTimeouts { MenuRounds = 2 });
        return session.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void Type(string keys)
    {
        foreach (char c in keys) _keys.OnDigit(c);
    }

    [Theory]
    [InlineData("business", "1001")]
    [InlineData("after", "1002")]
    [InlineData("holiday", "1002")] // a holiday uses the after-hours keys
    public async Task TheGreetingAndKeysFollowTheAttendantsClock(string when, string expected)
    {
        var (at, greeting, other) = when switch
        {
            "business" => (Business, Open, Closed),
            "after" => (AfterHours, Closed, Open),
            _ => (Christmas, Xmas, Open),
        };
        After(greeting, "1"); // pressed once the greeting was heard
        await Run(at: at);
        Assert.Equal([expected], _transfers);
        Assert.Same(greeting, _line.Played[0]);
        Assert.DoesNotContain(other, _line.Played);
        var answered = Assert.Single(_events.Records(2093));
        Assert.Equal(when switch { "business" => "BusinessHours", "after" => "AfterHours", _ => "Holiday" }, answered.Field<string>("Period"));
        Assert.Equal([2093, 2094], _events.EventIds());
    }

    [Fact]
    public async Task WithoutAGreetingTheBuiltInWelcomeIsPlayed()
    {
        After(P.Welcome, "1");
        await Run(Reception with { BusinessHoursWelcomeGreetingFile = null });
        Assert.Same(P.Welcome, _line.Played[0]);
    }

    [Fact]
    public async Task ARefusedNumberIsToldAndNeverTransferred()
    {
        // Key 2 leads abroad, which the attendant's default restrictions refuse; then 1 reaches Sales.
        Type("2");
        After(Prompts.Subscriber.CannotCall, "1");
        await Run();
        Assert.Equal(["1001"], _transfers);
        var refusal = Assert.Single(_events.Records(1076));
        Assert.Equal("auto attendant 'Reception'", refusal.Field<string>("Context"));
        Assert.Contains(Prompts.Subscriber.CannotCall, _line.Played);
    }

    [Fact]
    public async Task KeyZeroIsTheOperatorOrSaysThereIsNone()
    {
        After(P.Operator, "0"); // the menu offers the operator last
        await Run(Reception with { OperatorExtension = "1000", AllowExtensions = true }); // the operator is no mailbox
        Assert.Equal(["1000"], _transfers);

        _transfers.Clear();
        After(P.DialByName, "0"); // without an operator the menu ends with dial by name and never offers 0
        After(P.NoOperator, "1");
        await Run();
        Assert.Equal(["1001"], _transfers);
        Assert.Single(_line.Played, c => ReferenceEquals(c, P.Operator));
    }

    [Fact]
    public async Task DialByExtensionFollowsAllowExtensions()
    {
        Type("1003#");
        await Run(Reception with { BusinessHoursKeyMapping = [] });
        Assert.Equal(["1003"], _transfers); // a user of the plan

        _transfers.Clear();
        Type("9999#"); // no user: AllowExtensions is off by default
        After(Prompts.Subscriber.CannotCall, "1002#");
        await Run(Reception with { BusinessHoursKeyMapping = [] });
        Assert.Equal(["1002"], _transfers);
        Assert.Equal(OutdialingReason.ExtensionsNotAllowed.ToString(), Assert.Single(_events.Records(1076)).Field<string>("ReasonCode"));
    }

    [Fact]
    public async Task DialByNameTransfersASingleMatchAndReadsOutSeveral()
    {
        Type("#");
        After(P.SpellName, "358#"); // ELU
        await Run();
        Assert.Equal(["1003"], _transfers);

        _transfers.Clear();
        Type("#");
        After(P.SpellName, "627846#"); // MARTIN: Martin and Martinez
        After(P.EnterExtension, "1002#");
        await Run();
        Assert.Equal(["1002"], _transfers);
        var played = _line.Played;
        int at = played.IndexOf(P.SeveralMatches);
        Assert.True(at > 0);
        // "At extension one zero zero one", "At extension one zero zero two", then the question.
        Assert.Equal([P.AtExtension, .. Prompts.Digits("1001"), P.AtExtension, .. Prompts.Digits("1002"), P.EnterExtension], played.Skip(at + 1).Take(11));
        Assert.Equal(2, _events.Records(2095)[^1].Field<int>("Matches"));

        // A user who recorded their name by phone is named in their own voice before their extension.
        _transfers.Clear();
        var name = AudioClip.Tone(500, TimeSpan.FromMilliseconds(300));
        _names["1002"] = name;
        Type("#");
        After(P.SpellName, "627846#");
        After(P.EnterExtension, "1001#");
        await Run();
        Assert.Equal(["1001"], _transfers);
        played = _line.Played;
        at = played.LastIndexOf(P.SeveralMatches);
        Assert.Equal([P.AtExtension, .. Prompts.Digits("1001"), name, P.AtExtension, .. Prompts.Digits("1002"), P.EnterExtension], played.Skip(at + 1).Take(12));
    }

    [Fact]
    public async Task DialByNameWithoutMatchSaysSoAndDisabledKeysAreInvalid()
    {
        Type("#");
        After(P.SpellName, "999#");
        After(P.NoMatch, "1");
        await Run();
        Assert.Equal(["1001"], _transfers);

        _transfers.Clear();
        Type("#");
        After(P.InvalidKey, "5"); // 5 is unmapped and dial by extension is off too
        await Run(Reception with { NameLookupEnabled = false, CallSomeoneEnabled = false });
        Assert.Empty(_transfers);
        Assert.Equal(2, _line.Played.Count(c => ReferenceEquals(c, P.InvalidKey)));
        Assert.Same(P.Goodbye, _line.Played[^1]);
        Assert.DoesNotContain(P.DialByName, _line.Played);
        Assert.DoesNotContain(P.DialExtension, _line.Played);
    }

    [Fact]
    public async Task AnnouncementsAndOtherAttendantsComeBackToAMenu()
    {
        Type("3"); // the directions, then the menu again
        After(Directions, "4", "1"); // 4: Support (whose greeting is the directions clip too); its 1 leads back
        After(Open, "1");
        await Run();
        Assert.Equal(["1001"], _transfers);
        Assert.Equal(["Support", "Reception"], _events.Records(2098).Select(r => r.Field<string>("To")));
        Assert.Equal(["Reception", "Support", "Reception"], _events.Records(2093).Select(r => r.Field<string>("AutoAttendant")));
    }

    [Fact]
    public async Task ARefusedReferIsToldAndTheMenuGoesOn()
    {
        _referResult = (false, "Failed: REFER answered 603 Decline");
        Type("1");
        After(Prompts.Subscriber.TransferFailed, "1");
        await Run();
        Assert.Equal(["1001", "1001"], _transfers);
        Assert.Contains("603", _events.Records(2094)[0].Field<string>("Outcome"));
    }

    private static readonly AutoAttendant WithMenus = Reception with
    {
        BusinessHoursMenuPromptFile = "greetings/menu-open.wav", AfterHoursMenuPromptFile = "greetings/menu-closed.wav",
    };

    [Theory]
    [InlineData("business")]
    [InlineData("after")]
    [InlineData("holiday")] // a holiday has the after-hours keys, so their menu
    public async Task TheKeyMenuOfThePeriodFollowsTheGreeting_EveryRound(string when)
    {
        var (at, greeting, menu, other) = when switch
        {
            "business" => (Business, Open, OpenMenu, ClosedMenu),
            "after" => (AfterHours, Closed, ClosedMenu, OpenMenu),
            _ => (Christmas, Xmas, ClosedMenu, OpenMenu),
        };
        After(P.DialByName, "*", "*"); // a key that leads nowhere, twice: two rounds, then goodbye
        Assert.Equal("no choice made", await Run(WithMenus, at));
        Assert.Equal([greeting, menu, P.DialExtension, P.DialByName, P.InvalidKey, menu, P.DialExtension, P.DialByName, P.InvalidKey, P.Goodbye], _line.Played);
        Assert.DoesNotContain(other, _line.Played);
    }

    [Fact]
    public async Task AKeyPressedDuringTheKeyMenuIsObeyedAtOnce()
    {
        After(OpenMenu, "1");
        await Run(WithMenus with { OperatorExtension = "1000" });
        Assert.Equal(["1001"], _transfers);
        // The built-in offers that follow it are not played to a caller who chose.
        Assert.Equal([Open, OpenMenu, Prompts.Subscriber.TransferringCall], _line.Played);
    }

    [Fact]
    public async Task AKeyMenuThatCannotBePlayedIsSkippedWithAnEvent()
    {
        After(P.DialByName, "*", "*");
        await Run(Reception with { BusinessHoursMenuPromptFile = "greetings/gone.wav" });
        Assert.Equal([Open, P.DialExtension, P.DialByName, P.InvalidKey, P.DialExtension, P.DialByName, P.InvalidKey, P.Goodbye], _line.Played);
        var unusable = Assert.Single(_events.Records(2097)); // loaded once with the greeting, not each round
        Assert.Equal("greetings/gone.wav", unusable.Field<string>("Greeting"));
    }
}
