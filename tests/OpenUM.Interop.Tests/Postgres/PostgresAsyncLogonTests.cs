using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Directory.Postgres;

namespace OpenUM.Interop.Tests.Postgres;

/// <summary>
/// The logon a call makes (<see cref="PinAuthenticator.LogonAsync"/>) on PostgreSQL, where the store's calls really
/// are asynchronous: concurrent logons from several stores still lock after exactly MaxLogonAttempts, and pooled
/// connections the server dropped are replaced as on the synchronous path.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAsyncLogonTests(TempPostgres postgres)
{
    private const string Pin = "482917";
    private const int MaxLogonAttempts = 4;

    private async Task<StoreLocation> SeededAsync(string database)
    {
        var at = StoreLocation.Parse(await postgres.CreateDatabaseAsync(database));
        using var store = new PostgresConfigurationStore(at);
        store.AddDialPlan(new DialPlan { Name = "Main", NumberOfDigitsInExtension = 4 });
        store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = MaxLogonAttempts, LogonFailuresBeforePinReset = 2 });
        store.AddMailbox(new Mailbox
        {
            Extension = "1234", DisplayName = "Alice", EmailAddress = "alice@example.com", DialPlan = "Main", MailboxPolicy = "Strict",
        });
        store.SavePin("Main", "1234", new MailboxPinState { Hash = PinHasher.Hash(Pin, PinHasher.MinIterations), SetAt = DateTimeOffset.UtcNow });
        return at;
    }

    [Fact]
    public async Task ConcurrentAsyncLogonsLockAfterExactlyMaxLogonAttempts()
    {
        var at = await SeededAsync("alogon_" + Guid.NewGuid().ToString("N")[..12]);
        var stores = Enumerable.Range(0, 3).Select(_ => new PostgresConfigurationStore(at)).ToArray();
        try
        {
            const int Guesses = 12;
            var outcomes = await Task.WhenAll(Enumerable.Range(0, Guesses).Select(i =>
                new PinAuthenticator(stores[i % stores.Length], TimeProvider.System).LogonAsync("Main", "1234", $"9{i:D2}000".AsMemory()).AsTask()));

            Assert.Equal(Enumerable.Range(1, MaxLogonAttempts - 1),
                outcomes.Where(o => o.Result == LogonResult.WrongPin).Select(o => o.ConsecutiveFailures).Order());
            Assert.Equal(Guesses - (MaxLogonAttempts - 1), outcomes.Count(o => o.Result == LogonResult.LockedOut));
            var state = (await stores[0].GetPinAsync("main", "1234"))!;
            Assert.Equal((MaxLogonAttempts, true), (state.ConsecutiveFailures, state.LockedOut));
            Assert.Equal(LogonResult.LockedOut, (await new PinAuthenticator(stores[1], TimeProvider.System).LogonAsync("Main", "1234", Pin.AsMemory())).Result);
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
    public async Task AnAsyncLogonAfterTheServerDroppedEveryConnectionStillGetsIn()
    {
        var database = "alogon_" + Guid.NewGuid().ToString("N")[..12];
        using var store = new PostgresConfigurationStore(await SeededAsync(database));
        var auth = new PinAuthenticator(store, TimeProvider.System);
        Assert.Equal(LogonResult.WrongPin, (await auth.LogonAsync("Main", "1234", "000001".AsMemory())).Result);

        await postgres.TerminateConnectionsAsync(database); // the pool's connections are now dead
        var outcome = await auth.LogonAsync("Main", "1234", Pin.AsMemory());
        Assert.Equal(LogonResult.Success, outcome.Result);
        Assert.Equal(0, store.GetPin("Main", "1234")!.ConsecutiveFailures);
    }
}
