using Microsoft.Extensions.Logging;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Directory;
using OpenUM.Directory.AutoAttendants;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.AutoAttendants;

/// <summary>How long an attendant waits for keys and how many times it offers its menu.</summary>
public sealed record AttendantTimeouts
{
    /// <summary>Wait for a menu key after the menu.</summary>
    public TimeSpan MenuKey { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Wait for the first key of a name or extension.</summary>
    public TimeSpan FirstDigit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Wait between keys of a name or extension.</summary>
    public TimeSpan InterDigit { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Menus offered without an answer (or with wrong keys) before the attendant says goodbye.</summary>
    public int MenuRounds { get; init; } = 3;
}

/// <summary>What an attendant call needs: the configuration, its clock, prompts, and how to authorize and place a transfer.</summary>
/// <param name="Authorize">The outdialing engine's verdict for a target under an attendant's restrictions (a refusal is event 1076).</param>
/// <param name="Transfer">Transfers the caller to a dial string (REFER); LineGone when the call is no longer ours.</param>
public sealed record AttendantContext(
    ConfigurationSnapshot Configuration, DialPlan DialPlan, Directory.AutoAttendant Attendant, string CallId, string CallerId,
    TimeProvider Time, PromptLibrary Prompts, Func<string, AudioClip?> LoadGreeting,
    Func<Directory.AutoAttendant, string, OutdialingDecision> Authorize,
    Func<string, CancellationToken, Task<(bool LineGone, string Outcome)>> Transfer, ILogger Logger)
{
    /// <summary>A user's name as they recorded it by phone (null: none), read out before their extension when several match.</summary>
    public Func<Mailbox, AudioClip?>? SpokenName { get; init; }
}

/// <summary>
/// The auto attendant's menu over a line: the greeting of the period (holiday, business hours, after hours, on the
/// attendant's own clock), then each round the period's key menu spoken from the mappings' names and the built-in
/// offers, and keys: 1-9 as mapped, 0 the operator, digits then # an extension, # alone dial by name.
/// Every transfer goes through the outdialing engine with the attendant's restrictions before any REFER.
/// </summary>
public sealed class AttendantSession(ISubscriberLine line, DtmfCollector keys, AttendantContext context, AttendantTimeouts? timeouts = null)
{
    private const int MaxNumberDigits = 32;
    private const int MaxAttendantHops = 8; // key mappings between attendants may form a loop
    private const int MaxReadOut = 9;
    private readonly AttendantTimeouts _t = timeouts ?? new AttendantTimeouts();
    private AttendantPrompts P => context.Prompts.Attendant;
    private Directory.AutoAttendant _attendant = context.Attendant;
    private AudioClip? _keyMenu; // the period's key menu spoken from the mappings' names, loaded with the greeting

    /// <summary>Runs the menu until a transfer takes the call, the caller hangs up or the rounds run out; returns why it ended.</summary>
    public async Task<string> RunAsync(CancellationToken ct)
    {
        int hops = 0, idle = 0;
        bool greet = true;
        AttendantPeriod period = default;
        HolidayEntry? holiday = null;
        while (idle < _t.MenuRounds)
        {
            if (greet)
            {
                (period, holiday) = Clock();
                _keyMenu = AutoAttendantRules.MenuPromptFor(_attendant, period) is { } menu ? Load(menu) : null;
                await InterruptibleAsync(Greeting(period, holiday), ct).ConfigureAwait(false);
                greet = false;
            }
            await MenuAsync(ct).ConfigureAwait(false);
            var key = await keys.ReadAsync(DtmfRequest.Key(_t.MenuKey), ct).ConfigureAwait(false);
            if (key.Digits.Length == 0)
            {
                idle++;
                continue;
            }
            char k = key.Digits[0];
            var mapping = AutoAttendantRules.KeyMappingsFor(_attendant, period).FirstOrDefault(m => m.Key == k);
            string? end = null;
            if (k == '0')
            {
                if (_attendant.OperatorExtension is { } op) end = await TransferAsync(op, "operator (key 0)", ct).ConfigureAwait(false);
                else await Say(P.NoOperator, ct).ConfigureAwait(false);
            }
            else if (mapping?.AutoAttendantName is { } name)
            {
                if (context.Configuration.FindAutoAttendant(name) is not { } next || hops >= MaxAttendantHops)
                {
                    idle++;
                    await Say(P.InvalidKey, ct).ConfigureAwait(false);
                    continue;
                }
                AttendantEvents.MenuChanged(context.Logger, context.CallId, k, _attendant.Name, next.Name);
                (_attendant, greet, idle) = (next, true, 0);
                hops++;
                continue;
            }
            else if (mapping?.AnnouncementFile is { } announcement)
            {
                if (Load(announcement) is { } clip) await InterruptibleAsync(clip, ct).ConfigureAwait(false);
            }
            else if (mapping?.Extension is { } target)
            {
                end = await TransferAsync(target, $"key {k} ({mapping.Description})", ct).ConfigureAwait(false);
            }
            else if (k == '#' && _attendant.NameLookupEnabled)
            {
                end = await DialByNameAsync(ct).ConfigureAwait(false);
            }
            else if (k is >= '1' and <= '9' && _attendant.CallSomeoneEnabled)
            {
                end = await DialExtensionAsync(k, ct).ConfigureAwait(false);
            }
            else
            {
                idle++;
                await Say(P.InvalidKey, ct).ConfigureAwait(false);
                continue;
            }
            if (end is not null) return end;
            idle = 0;
        }
        await line.PlayAsync(P.Goodbye, ct).ConfigureAwait(false);
        return "no choice made";
    }

    private (AttendantPeriod Period, HolidayEntry? Holiday) Clock()
    {
        var now = context.Time.GetUtcNow();
        var (period, holiday) = AutoAttendantRules.PeriodAt(_attendant, now);
        var zone = AutoAttendantRules.TryFindZone(_attendant.TimeZone) ?? TimeZoneInfo.Utc;
        AttendantEvents.Answered(context.Logger, context.CallId, context.CallerId, _attendant.Name, _attendant.DialPlan, period.ToString(),
            TimeZoneInfo.ConvertTime(now, zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), zone.Id,
            holiday is null ? "" : $", holiday {holiday.Name}", context.Prompts.Language);
        return (period, holiday);
    }

    private AudioClip Greeting(AttendantPeriod period, HolidayEntry? holiday) =>
        AutoAttendantRules.GreetingFor(_attendant, period, holiday) is { } file && Load(file) is { } clip ? clip : P.Welcome;

    private AudioClip? Load(string file)
    {
        var clip = context.LoadGreeting(file);
        if (clip is null) AttendantEvents.GreetingUnusable(context.Logger, _attendant.Name, file, "missing or not a playable WAV");
        return clip;
    }

    // "For Sales, press 1. For Support, press 2." then the keys every attendant has, each only when it is offered.
    private async Task MenuAsync(CancellationToken ct)
    {
        if (_keyMenu is not null) await InterruptibleAsync(_keyMenu, ct).ConfigureAwait(false);
        if (_attendant.CallSomeoneEnabled) await InterruptibleAsync(P.DialExtension, ct).ConfigureAwait(false);
        if (_attendant.NameLookupEnabled) await InterruptibleAsync(P.DialByName, ct).ConfigureAwait(false);
        if (_attendant.OperatorExtension is not null) await InterruptibleAsync(P.Operator, ct).ConfigureAwait(false);
    }

    private async Task<string?> DialExtensionAsync(char first, CancellationToken ct)
    {
        var rest = await keys.ReadAsync(new DtmfRequest(MaxNumberDigits - 1, '#', _t.InterDigit, _t.InterDigit), ct).ConfigureAwait(false);
        string number = first + rest.Digits;
        return await TransferAsync(number, "dial by extension", ct).ConfigureAwait(false);
    }

    private async Task<string?> DialByNameAsync(CancellationToken ct)
    {
        await Say(P.SpellName, ct).ConfigureAwait(false);
        var spelled = await keys.ReadAsync(new DtmfRequest(MaxNumberDigits, '#', _t.FirstDigit, _t.InterDigit), ct).ConfigureAwait(false);
        var matches = NameDirectory.Find(context.Configuration.MailboxesForDialPlan(_attendant.DialPlan), spelled.Digits);
        AttendantEvents.DirectoryLookup(context.Logger, context.CallId, _attendant.Name, spelled.Digits.Length, matches.Count);
        if (matches.Count == 0)
        {
            await Say(P.NoMatch, ct).ConfigureAwait(false);
            return null;
        }
        if (matches.Count == 1) return await TransferAsync(matches[0].Extension, "dial by name", ct).ConfigureAwait(false);
        if (matches.Count > MaxReadOut)
        {
            await Say(P.TooManyMatches, ct).ConfigureAwait(false);
            return null;
        }
        await Say(P.SeveralMatches, ct).ConfigureAwait(false);
        foreach (var match in matches)
        {
            // "Alice Martin" (in her own voice, when she recorded her name), "at extension 1 0 0 1".
            if (context.SpokenName?.Invoke(match) is { } name) await InterruptibleAsync(name, ct).ConfigureAwait(false);
            await InterruptibleAsync(P.AtExtension, ct).ConfigureAwait(false);
            foreach (var digit in context.Prompts.Digits(match.Extension)) await InterruptibleAsync(digit, ct).ConfigureAwait(false);
        }
        await InterruptibleAsync(P.EnterExtension, ct).ConfigureAwait(false);
        var chosen = await keys.ReadAsync(new DtmfRequest(MaxNumberDigits, '#', _t.FirstDigit, _t.InterDigit), ct).ConfigureAwait(false);
        if (chosen.Digits.Length == 0) return null;
        return await TransferAsync(chosen.Digits, "dial by name", ct).ConfigureAwait(false);
    }

    // The attendant's restrictions decide first; a refused target never becomes a REFER (the engine logs 1076).
    private async Task<string?> TransferAsync(string target, string action, CancellationToken ct)
    {
        var decision = context.Authorize(_attendant, target);
        if (!decision.Allowed)
        {
            await Say(context.Prompts.Subscriber.CannotCall, ct).ConfigureAwait(false);
            return null;
        }
        string dialed = decision.DialedNumber ?? target;
        await line.PlayAsync(context.Prompts.Subscriber.TransferringCall, ct).ConfigureAwait(false);
        var (lineGone, outcome) = await context.Transfer(dialed, ct).ConfigureAwait(false);
        AttendantEvents.Transfer(context.Logger, context.CallId, _attendant.Name, action, dialed, decision.Gateway ?? "", outcome);
        if (lineGone) return $"auto attendant {_attendant.Name}: {outcome}";
        // REFER refused: bridging the call through the server instead is out of scope, so the caller is told.
        await Say(context.Prompts.Subscriber.TransferFailed, ct).ConfigureAwait(false);
        return null;
    }

    // A spoken answer: keys typed before it answered a question already asked, so they are dropped.
    private async Task Say(AudioClip clip, CancellationToken ct)
    {
        keys.Clear();
        await line.PlayAsync(clip, ct).ConfigureAwait(false);
    }

    /// <summary>Plays until the clip ends or a key is pressed (the key stays for the next read).</summary>
    private async Task InterruptibleAsync(AudioClip clip, CancellationToken ct)
    {
        if (keys.Buffered > 0) return;
        using var bargeIn = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void Stop()
        {
            try { bargeIn.Cancel(); } catch (ObjectDisposedException) { }
        }
        keys.KeyPressed += Stop;
        try
        {
            if (keys.Buffered > 0) return;
            await line.PlayAsync(clip, bargeIn.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        finally { keys.KeyPressed -= Stop; }
    }
}
