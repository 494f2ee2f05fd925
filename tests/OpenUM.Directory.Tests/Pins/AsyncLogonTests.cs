using Microsoft.Extensions.Time.Testing;
using OpenUM.Directory.Pins;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Pins;

/// <summary>
/// The logon a call makes (<see cref="PinAuthenticator.LogonAsync"/>) against the real SQLite store: the same
/// answers, counts and lockout as the synchronous logon, and the two count into the same row.
/// </summary>
public sealed class AsyncLogonTests : IDisposable
{
    private const string Pin = "482917";
    private readonly TempStore _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly PinAuthenticator _auth;

    public AsyncLogonTests()
    {
        _temp.Store.AddDialPlan(DialPlan());
        _temp.Store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = 3, LogonFailuresBeforePinReset = 2 });
        _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "Strict" });
        _auth = new PinAuthenticator(_temp.Store, _time);
    }

    public void Dispose() => _temp.Dispose();

    private void GivePin() =>
        _temp.Store.SavePin("Main", "1234", new MailboxPinState { Hash = PinHasher.Hash(Pin, PinHasher.MinIterations), SetAt = _time.GetUtcNow() });

    private async Task<(LogonResult, int)> LogonAsync(string extension, string pin)
    {
        var outcome = await _auth.LogonAsync("Main", extension, pin.AsMemory());
        return (outcome.Result, outcome.ConsecutiveFailures);
    }

    [Fact]
    public async Task WrongPinsCountAndLockLikeTheSynchronousLogon()
    {
        GivePin();
        Assert.Equal((LogonResult.WrongPin, 1), await LogonAsync("1234", "000001"));
        Assert.Equal(LogonResult.WrongPin, _auth.Logon("Main", "1234", "000002").Result); // the same row counts both
        Assert.Equal((LogonResult.LockedOut, 3), await LogonAsync("1234", "000003"));
        Assert.Equal((LogonResult.LockedOut, 3), await LogonAsync("1234", Pin));
        Assert.True(_temp.Store.GetPin("Main", "1234")!.LockedOut);
    }

    [Fact]
    public async Task TheRightPinLogsOnAndClearsTheCount()
    {
        GivePin();
        Assert.Equal((LogonResult.WrongPin, 1), await LogonAsync("1234", "000001"));
        var outcome = await _auth.LogonAsync("main", "1234", Pin.AsMemory());
        Assert.Equal(LogonResult.Success, outcome.Result);
        Assert.Equal("Strict", outcome.Policy!.Name);
        Assert.Equal(0, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);
    }

    [Fact]
    public async Task NoPinAndUnknownExtensionAreToldLikeTheSynchronousLogon()
    {
        Assert.Equal((LogonResult.NoPin, 0), await LogonAsync("1234", Pin));
        Assert.Equal((LogonResult.UnknownMailbox, 0), await LogonAsync("9999", Pin));
    }

    [Fact]
    public async Task TheStoresAsynchronousReadsSeeWhatTheSynchronousOnesSee()
    {
        GivePin();
        var store = (IConfigurationStore)_temp.Store;
        Assert.Equal(store.GetMailbox("Main", "1234"), await store.GetMailboxAsync("MAIN", "1234"));
        Assert.Equal(store.GetMailboxPolicy("Strict"), await store.GetMailboxPolicyAsync("strict"));
        Assert.Null(await store.GetMailboxAsync("Main", "9999"));
        Assert.Equal(store.GetPin("Main", "1234")!.Hash, (await store.GetPinAsync("main", "1234"))!.Hash);
        Assert.Equal(1, (await store.RecordLogonFailureAsync("Main", "1234", 3))!.ConsecutiveFailures);
        Assert.True(await store.RecordLogonSuccessAsync("Main", "1234"));
        Assert.Equal(0, store.GetPin("Main", "1234")!.ConsecutiveFailures);
    }
}
