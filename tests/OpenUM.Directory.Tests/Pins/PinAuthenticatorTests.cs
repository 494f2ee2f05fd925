using Microsoft.Extensions.Time.Testing;
using OpenUM.Directory.Pins;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Pins;

public sealed class PinAuthenticatorTests : IDisposable
{
    private const string Pin = "482917";
    private readonly TempStore _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly PinAuthenticator _auth;

    public PinAuthenticatorTests()
    {
        _temp.Store.AddDialPlan(DialPlan());
        _temp.Store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = 3, LogonFailuresBeforePinReset = 2 });
        _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "Strict" });
        _auth = new PinAuthenticator(_temp.Store, _time);
    }

    public void Dispose() => _temp.Dispose();

    private void GivePin(string pin = Pin) =>
        _temp.Store.SavePin("Main", "1234", new MailboxPinState { Hash = PinHasher.Hash(pin, PinHasher.MinIterations), SetAt = _time.GetUtcNow() });

    [Fact]
    public void TheRightPinLogsOn()
    {
        GivePin();
        var outcome = _auth.Logon("main", "1234", Pin);
        Assert.Equal(LogonResult.Success, outcome.Result);
        Assert.Equal("Strict", outcome.Policy!.Name);
        Assert.Equal("alice@example.com", outcome.Mailbox!.EmailAddress);
    }

    [Fact]
    public void MaxLogonAttemptsLocksTheMailboxForGood()
    {
        GivePin();
        Assert.Equal((LogonResult.WrongPin, 1), Result(_auth.Logon("Main", "1234", "000001")));
        Assert.Equal((LogonResult.WrongPin, 2), Result(_auth.Logon("Main", "1234", "000002")));
        Assert.Equal((LogonResult.LockedOut, 3), Result(_auth.Logon("Main", "1234", "000003"))); // the third of MaxLogonAttempts 3
        Assert.True(_temp.Store.GetPin("Main", "1234")!.LockedOut);
        // Locked: even the right PIN is refused, and nothing is counted any more.
        Assert.Equal((LogonResult.LockedOut, 3), Result(_auth.Logon("Main", "1234", Pin)));

        using var other = _temp.OpenAnother(); // the lock lives in the store, not in this process
        Assert.Equal(LogonResult.LockedOut, new PinAuthenticator(other, _time).Logon("Main", "1234", Pin).Result);
    }

    [Fact]
    public void ParallelGuessesGetNoExtraAttempts()
    {
        GivePin();
        var results = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
            .Select(i => _auth.Logon("Main", "1234", $"00000{i}").Result).ToArray();
        Assert.Equal(2, results.Count(r => r == LogonResult.WrongPin));
        Assert.Equal(6, results.Count(r => r == LogonResult.LockedOut));
        Assert.Equal(3, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);
    }

    [Fact]
    public void SuccessResetsTheFailureCount()
    {
        GivePin();
        _auth.Logon("Main", "1234", "000001");
        _auth.Logon("Main", "1234", "000002");
        Assert.Equal((LogonResult.Success, 0), Result(_auth.Logon("Main", "1234", Pin)));
        Assert.Equal(0, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);
        // Two more failures do not lock: the count started again.
        _auth.Logon("Main", "1234", "000001");
        Assert.Equal((LogonResult.WrongPin, 2), Result(_auth.Logon("Main", "1234", "000002")));
    }

    [Fact]
    public void ResetUnlocksAndTheNewPinWorks()
    {
        GivePin();
        for (var i = 0; i < 3; i++) _auth.Logon("Main", "1234", "000000");
        var fresh = _auth.ResetPin("Main", "1234");
        var state = _temp.Store.GetPin("Main", "1234")!;
        Assert.False(state.LockedOut);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Null(PinRules.CheckWithoutHistory(fresh, MailboxPolicy.DefaultFor("Main"), "1234"));
        // Somebody else has seen it: it is right, but only good for choosing a new PIN.
        Assert.True(state.MustChange);
        Assert.Equal(LogonResult.PinExpired, _auth.Logon("Main", "1234", fresh).Result);
        Assert.Equal(LogonResult.WrongPin, _auth.Logon("Main", "1234", Pin).Result);
    }

    [Fact]
    public async Task ChangingThePinByPhoneAppliesTheRulesAndClearsTheMustChangeMark()
    {
        GivePin();
        var fresh = _auth.ResetPin("Main", "1234");
        Assert.Contains("common patterns", await _auth.ChangePinAsync("Main", "1234", "111111"));
        Assert.Contains("used recently", await _auth.ChangePinAsync("Main", "1234", fresh)); // the reset PIN itself
        Assert.Contains("used recently", await _auth.ChangePinAsync("Main", "1234", Pin));   // nor the one before
        Assert.True(_temp.Store.GetPin("Main", "1234")!.MustChange); // refusals change nothing
        Assert.Null(await _auth.ChangePinAsync("Main", "1234", "593028"));
        Assert.False(_temp.Store.GetPin("Main", "1234")!.MustChange);
        Assert.Equal(LogonResult.Success, _auth.Logon("Main", "1234", "593028").Result);
        Assert.Equal(LogonResult.WrongPin, _auth.Logon("Main", "1234", fresh).Result);
    }

    [Fact]
    public void AnExpiredPinIsReportedAfterTheRightPin()
    {
        GivePin();
        _time.Advance(TimeSpan.FromDays(60));
        Assert.Equal(LogonResult.PinExpired, _auth.Logon("Main", "1234", Pin).Result);
        Assert.Equal(LogonResult.WrongPin, _auth.Logon("Main", "1234", "000000").Result); // expiry never helps a guesser
        Assert.Null(_auth.SetPin("Main", "1234", "593028"));
        Assert.Equal(LogonResult.Success, _auth.Logon("Main", "1234", "593028").Result);
    }

    [Fact]
    public void SetPinAppliesTheRulesAndTheHistory()
    {
        Assert.Contains("at least 6", _auth.SetPin("Main", "1234", "4829"));
        Assert.Null(_auth.SetPin("Main", "1234", Pin));
        Assert.Contains("used recently", _auth.SetPin("Main", "1234", Pin));
        Assert.Null(_auth.SetPin("Main", "1234", "593028"));
        Assert.Contains("used recently", _auth.SetPin("Main", "1234", Pin));
        var state = _temp.Store.GetPin("Main", "1234")!;
        Assert.Single(state.History);
        Assert.True(PinHasher.Verify(Pin, state.History[0]));
    }

    [Fact]
    public void OtherOutcomes()
    {
        Assert.Equal(LogonResult.NoPin, _auth.Logon("Main", "1234", Pin).Result);
        Assert.Equal(LogonResult.UnknownMailbox, _auth.Logon("Main", "9999", Pin).Result);
        Assert.Equal(LogonResult.UnknownMailbox, _auth.Logon("Nowhere", "1234", Pin).Result);
        GivePin();
        _temp.Store.UpdateMailboxPolicy(_temp.Store.GetMailboxPolicy("Strict")! with { AllowSubscriberAccess = false });
        Assert.Equal(LogonResult.NotAllowed, _auth.Logon("Main", "1234", Pin).Result);
    }

    [Fact]
    public void AMailboxWithoutAPolicyGetsTheDefaults()
    {
        _temp.Store.AddMailbox(Mailbox("5678", "bob@example.com"));
        Assert.Null(_auth.SetPin("Main", "5678", Pin));
        var outcome = _auth.Logon("Main", "5678", Pin);
        Assert.Equal(LogonResult.Success, outcome.Result);
        Assert.Equal(15, outcome.Policy!.MaxLogonAttempts);
        Assert.Equal(6, outcome.Policy.MinPinLength);
        Assert.Equal(TimeSpan.FromDays(60), outcome.Policy.PinLifetime);
        Assert.Equal(5, outcome.Policy.PinHistoryCount);
        Assert.False(outcome.Policy.AllowCommonPatterns);
    }

    [Fact]
    public void NoPinTextInExceptionsOrStoredRows()
    {
        var messages = new List<string>();
        messages.Add(Assert.ThrowsAny<Exception>(() => _auth.SetPin("Main", "0000", Pin)).ToString());
        messages.Add(Assert.ThrowsAny<Exception>(() => _auth.ResetPin("Main", "0000")).ToString());
        messages.Add(Assert.ThrowsAny<Exception>(() => _temp.Store.SavePin("Main", "0000", new MailboxPinState { Hash = "x", SetAt = default })).ToString());
        messages.Add(_auth.SetPin("Main", "1234", "482911234") ?? "");
        Assert.Null(_auth.SetPin("Main", "1234", Pin));
        messages.Add(_auth.SetPin("Main", "1234", Pin) ?? "");
        Assert.All(messages, m => Assert.DoesNotContain(Pin, m));

        // The database file holds hashes only.
        _temp.Store.Dispose();
        var bytes = File.ReadAllBytes(_temp.FilePath).Concat(File.Exists(_temp.FilePath + "-wal") ? File.ReadAllBytes(_temp.FilePath + "-wal") : []).ToArray();
        Assert.DoesNotContain(Pin, System.Text.Encoding.ASCII.GetString(bytes));
    }

    private static (LogonResult, int) Result(LogonOutcome outcome) => (outcome.Result, outcome.ConsecutiveFailures);
}
