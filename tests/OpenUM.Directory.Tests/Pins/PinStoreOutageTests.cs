using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Directory.Pins;
using OpenUM.Directory.Postgres;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests.Pins;

/// <summary>
/// PIN logons while the store is away (PostgreSQL stopped): a clear StoreUnavailable, never a wrong PIN, never
/// a lockout, and the same answer for a right and a wrong PIN, so an outage is no way to guess uncounted.
/// </summary>
public sealed class PinStoreOutageTests : IDisposable
{
    private const string Pin = "482917";
    private readonly TempStore _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly Outage _outage;
    private readonly PinAuthenticator _auth;

    public PinStoreOutageTests()
    {
        _temp.Store.AddDialPlan(DialPlan());
        _temp.Store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = 3, LogonFailuresBeforePinReset = 2 });
        _temp.Store.AddMailbox(Mailbox() with { MailboxPolicy = "Strict" });
        _temp.Store.SavePin("Main", "1234", new MailboxPinState { Hash = PinHasher.Hash(Pin, PinHasher.MinIterations), SetAt = _time.GetUtcNow() });
        var store = DispatchProxy.Create<IConfigurationStore, Outage>();
        _outage = (Outage)(object)store;
        _outage.Inner = _temp.Store;
        _auth = new PinAuthenticator(store, _time);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The real store, except that the calls named in <see cref="Failing"/> fail as PostgreSQL's do when it is stopped.</summary>
    public class Outage : DispatchProxy
    {
        public IConfigurationStore Inner { get; set; } = null!;
        // A name fails in both forms: RecordLogonFailure also fails RecordLogonFailureAsync.
        public HashSet<string> Failing { get; } = [];
        public bool Down { get; set; }
        public ConcurrentQueue<string> Called { get; } = new();
        public Func<Exception> Failure { get; set; } = () => new ConfigurationStoreUnavailableException(
            "configuration store postgres://openum@127.0.0.1:5432/openum: Failed to connect to 127.0.0.1:5432");

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Called.Enqueue(targetMethod!.Name);
            if (Down || Failing.Contains(targetMethod.Name) || Failing.Contains(targetMethod.Name.Replace("Async", "", StringComparison.Ordinal)))
                throw Failure();
            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }

    [Fact]
    public void AStoppedStoreIsStoreUnavailableWithTheReasonNotAWrongPin()
    {
        _outage.Down = true;
        var outcome = _auth.Logon("Main", "1234", "000001");
        Assert.Equal(LogonResult.StoreUnavailable, outcome.Result);
        Assert.Contains("Failed to connect", outcome.Problem);
        Assert.Equal(0, outcome.ConsecutiveFailures);
    }

    [Fact]
    public void ManyAttemptsDuringAnOutageLockNothing()
    {
        _outage.Down = true;
        for (int i = 0; i < 10; i++)
            Assert.Equal(LogonResult.StoreUnavailable, _auth.Logon("Main", "1234", $"00000{i}").Result);
        _outage.Down = false;
        Assert.Equal(0, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);
        Assert.False(_temp.Store.GetPin("Main", "1234")!.LockedOut);
        Assert.Equal(LogonResult.Success, _auth.Logon("Main", "1234", Pin).Result);
    }

    [Fact]
    public void AStoreThatReadsButCannotRecordAnswersRightAndWrongPinsAlike()
    {
        // PostgreSQL going away between reading the PIN and recording the attempt (or a read-only standby).
        _outage.Failing.Add(nameof(IConfigurationStore.RecordLogonFailure));
        _outage.Failing.Add(nameof(IConfigurationStore.RecordLogonSuccess));
        for (int i = 0; i < 5; i++)
            Assert.Equal(LogonResult.StoreUnavailable, _auth.Logon("Main", "1234", $"00000{i}").Result);
        // A right PIN is not let in while wrong ones go uncounted: the answer must not tell them apart.
        Assert.Equal(LogonResult.StoreUnavailable, _auth.Logon("Main", "1234", Pin).Result);
        _outage.Failing.Clear();
        Assert.False(_temp.Store.GetPin("Main", "1234")!.LockedOut);
        Assert.Equal(LogonResult.Success, _auth.Logon("Main", "1234", Pin).Result);
    }

    [Fact]
    public void AnUnknownExtensionDuringAnOutageIsNotToldApart()
    {
        _outage.Down = true;
        Assert.Equal(LogonResult.StoreUnavailable, _auth.Logon("Main", "9999", Pin).Result);
        Assert.Equal(LogonResult.StoreUnavailable, _auth.Logon("Main", "1234", Pin).Result);
    }

    // SQLite's own codes (sqlite.org/rescode.html): 13 SQLITE_FULL, 8 SQLITE_READONLY, 778 SQLITE_IOERR_WRITE.
    [Theory]
    [InlineData(13, "database or disk is full")]
    [InlineData(8, "attempt to write a readonly database")]
    [InlineData(778, "disk I/O error")]
    public void ASqliteFileThatCannotBeWrittenIsStoreUnavailable(int code, string message)
    {
        _outage.Failure = () => new SqliteException($"SQLite Error {code}: '{message}'.", code);
        _outage.Failing.Add(nameof(IConfigurationStore.RecordLogonFailure));
        var outcome = _auth.Logon("Main", "1234", "000001");
        Assert.Equal(LogonResult.StoreUnavailable, outcome.Result);
        Assert.Contains(message, outcome.Problem);
    }

    [Theory]
    [InlineData(19, "UNIQUE constraint failed: mailbox_pins.extension")]
    [InlineData(1, "no such column: consecutive_failures")]
    [InlineData(11, "database disk image is malformed")]
    public void ASqliteErrorThatIsABugIsNotDressedUpAsTryLater(int code, string message)
    {
        // A constraint, a schema mismatch or corruption will not heal by itself: it must surface, not become "try later".
        _outage.Failure = () => new SqliteException($"SQLite Error {code}: '{message}'.", code);
        _outage.Failing.Add(nameof(IConfigurationStore.RecordLogonFailure));
        var thrown = Assert.Throws<SqliteException>(() => _auth.Logon("Main", "1234", "000001"));
        Assert.Equal(code, thrown.SqliteErrorCode);
    }

    [Fact]
    public void OtherFailuresAreNotStoreUnavailable()
    {
        _outage.Failure = () => new InvalidDataException("table mailbox_pins has an unreadable row for Main/1234");
        _outage.Down = true;
        Assert.Throws<InvalidDataException>(() => _auth.Logon("Main", "1234", Pin));
        Assert.False(ConfigurationStores.IsOutage(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task ACallsLogonAsksTheStoreOnlyAsynchronously()
    {
        // Wrong, then right: every store call of a logon in a call (mailbox, policy, PIN, both counters) is the async one.
        Assert.Equal(LogonResult.WrongPin, (await _auth.LogonAsync("Main", "1234", "000001".AsMemory())).Result);
        Assert.Equal(LogonResult.Success, (await _auth.LogonAsync("Main", "1234", Pin.AsMemory())).Result);
        Assert.Equal(
            ["GetMailboxAsync", "GetMailboxPolicyAsync", "GetPinAsync", "RecordLogonFailureAsync",
             "GetMailboxAsync", "GetMailboxPolicyAsync", "GetPinAsync", "RecordLogonSuccessAsync"],
            _outage.Called);
    }

    [Fact]
    public async Task AnOutageDuringACallsLogonIsStoreUnavailableAndCountsNothing()
    {
        _outage.Down = true;
        for (int i = 0; i < 5; i++)
        {
            var outcome = await _auth.LogonAsync("Main", "1234", $"00000{i}".AsMemory());
            Assert.Equal(LogonResult.StoreUnavailable, outcome.Result);
            Assert.Contains("Failed to connect", outcome.Problem);
        }

        _outage.Down = false;
        Assert.Equal(0, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);
        Assert.Equal(LogonResult.Success, (await _auth.LogonAsync("Main", "1234", Pin.AsMemory())).Result);
    }

    [Fact]
    public async Task ACallsLogonThatCannotRecordAnswersRightAndWrongPinsAlike()
    {
        _outage.Failing.Add(nameof(IConfigurationStore.RecordLogonFailure));
        _outage.Failing.Add(nameof(IConfigurationStore.RecordLogonSuccess));
        Assert.Equal(LogonResult.StoreUnavailable, (await _auth.LogonAsync("Main", "1234", "000001".AsMemory())).Result);
        Assert.Equal(LogonResult.StoreUnavailable, (await _auth.LogonAsync("Main", "1234", Pin.AsMemory())).Result);
        Assert.Equal(0, _temp.Store.GetPin("Main", "1234")!.ConsecutiveFailures);
    }
}
