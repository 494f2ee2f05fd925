using Microsoft.Extensions.Time.Testing;
using OpenUM.Directory.Pins;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Pins;

/// <summary>
/// Failure counting lives in the store: servers sharing one store (here: separate store instances, each with its own
/// connection, on one file) cannot lose counts under parallel guessing, so a lockout comes after exactly MaxLogonAttempts.
/// </summary>
public sealed class SharedPinCountingTests : IDisposable
{
    private const string Pin = "482917";
    private const int MaxLogonAttempts = 4;
    private readonly TempStore _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    public SharedPinCountingTests()
    {
        _temp.Store.AddDialPlan(DialPlan());
        _temp.Store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = MaxLogonAttempts, LogonFailuresBeforePinReset = 2 });
        _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "Strict" });
        _temp.Store.SavePin("Main", "1234", new MailboxPinState { Hash = PinHasher.Hash(Pin, PinHasher.MinIterations), SetAt = _time.GetUtcNow() });
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ParallelWrongLogonsFromSeparateStoresAreAnsweredOnlyMaxLogonAttemptsTimesBeforeTheLockout()
    {
        const int Workers = 6, GuessesEach = 3;
        var stores = Enumerable.Range(0, Workers).Select(_ => _temp.OpenAnother()).ToArray();
        try
        {
            using var start = new Barrier(Workers);
            var outcomes = stores.AsParallel().WithDegreeOfParallelism(Workers).SelectMany((store, w) =>
            {
                var auth = new PinAuthenticator(store, _time);
                start.SignalAndWait();
                return Enumerable.Range(0, GuessesEach).Select(g => auth.Logon("Main", "1234", $"9{w}{g}000")).ToArray();
            }).ToArray();

            // Every wrong guess counted exactly once: failures 1..Max-1 answered "wrong", the Max-th locks, the rest are refused.
            Assert.Equal(Enumerable.Range(1, MaxLogonAttempts - 1),
                outcomes.Where(o => o.Result == LogonResult.WrongPin).Select(o => o.ConsecutiveFailures).Order());
            Assert.Equal(Workers * GuessesEach - (MaxLogonAttempts - 1), outcomes.Count(o => o.Result == LogonResult.LockedOut));
            Assert.All(outcomes.Where(o => o.Result == LogonResult.LockedOut), o => Assert.Equal(MaxLogonAttempts, o.ConsecutiveFailures));
            var state = _temp.Store.GetPin("Main", "1234")!;
            Assert.Equal((MaxLogonAttempts, true), (state.ConsecutiveFailures, state.LockedOut));
            Assert.Equal(LogonResult.LockedOut, new PinAuthenticator(stores[0], _time).Logon("Main", "1234", Pin).Result);
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public void TheStoreCountsEachFailureOnceAndNoneAfterTheLockout()
    {
        const int Calls = 16;
        var stores = Enumerable.Range(0, 4).Select(_ => _temp.OpenAnother()).ToArray();
        try
        {
            using var start = new Barrier(Calls);
            var after = Enumerable.Range(0, Calls).AsParallel().WithDegreeOfParallelism(Calls).Select(i =>
            {
                start.SignalAndWait();
                return stores[i % stores.Length].RecordLogonFailure("MAIN", "1234", MaxLogonAttempts)!;
            }).ToArray();

            Assert.Equal(Enumerable.Range(1, MaxLogonAttempts - 1), after.Where(s => !s.LockedOut).Select(s => s.ConsecutiveFailures).Order());
            Assert.All(after.Where(s => s.LockedOut), s => Assert.Equal(MaxLogonAttempts, s.ConsecutiveFailures));
            // Locked: a right PIN verified meanwhile does not clear it.
            Assert.False(stores[1].RecordLogonSuccess("Main", "1234"));
            Assert.True(_temp.Store.GetPin("Main", "1234")!.LockedOut);
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Fact]
    public void SuccessClearsTheCountAndAMailboxWithoutPinCountsNothing()
    {
        Assert.Equal(1, _temp.Store.RecordLogonFailure("Main", "1234", MaxLogonAttempts)!.ConsecutiveFailures);
        Assert.True(_temp.Store.RecordLogonSuccess("Main", "1234"));
        Assert.Equal(0, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);

        _temp.Store.AddMailbox(Mailbox("1235", "bob@example.com"));
        Assert.Null(_temp.Store.RecordLogonFailure("Main", "1235", MaxLogonAttempts));
        Assert.False(_temp.Store.RecordLogonSuccess("Main", "1235"));
        Assert.Null(_temp.Store.GetPin("Main", "1235"));
    }
}
