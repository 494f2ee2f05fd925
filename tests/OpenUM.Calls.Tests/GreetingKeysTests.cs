using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Sip;

namespace OpenUM.Calls.Tests;

/// <summary>The keys of a mailbox's greeting: which keys stop it and what they ask for, and where the keys after '*' go.</summary>
public sealed class GreetingKeysTests : IDisposable
{
    private readonly TimerWheel _wheel = new(new FakeTimeProvider());

    public void Dispose() => _wheel.Dispose();

    private GreetingKeys Keys(bool subscriberServices = true) => new(subscriberServices ? new DtmfCollector(_wheel) : null);

    // A greeting that plays until it is cancelled (hang-up or barge-in), and says whether it was.
    private sealed class Greeting
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Cancelled { get; private set; }
        public Task Started => _started.Task;
        public TaskCompletionSource Ends { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task PlayAsync(CancellationToken ct)
        {
            _started.TrySetResult();
            try { await Ends.Task.WaitAsync(ct); }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }
        }
    }

    [Theory]
    [InlineData('0', true, GreetingAction.Operator)]
    [InlineData('*', true, GreetingAction.Logon)]
    [InlineData('#', true, GreetingAction.Skip)]
    [InlineData('1', true, GreetingAction.None)]
    [InlineData('9', true, GreetingAction.None)]
    [InlineData('A', true, GreetingAction.None)]
    [InlineData('0', false, GreetingAction.None)]
    [InlineData('*', false, GreetingAction.None)]
    [InlineData('#', false, GreetingAction.Skip)]
    public void EachKeyHasItsMeaning(char key, bool subscriberServices, GreetingAction expected) =>
        Assert.Equal(expected, GreetingKeys.Meaning(key, subscriberServices));

    [Theory]
    [InlineData('0', GreetingAction.Operator)]
    [InlineData('*', GreetingAction.Logon)]
    [InlineData('#', GreetingAction.Skip)]
    public async Task AKeyWithAMeaningStopsTheGreetingAtOnce(char key, GreetingAction expected)
    {
        var keys = Keys();
        var greeting = new Greeting();
        var playing = keys.PlayAsync(greeting.PlayAsync, CancellationToken.None);
        await greeting.Started.WaitAsync(TimeSpan.FromSeconds(30));
        keys.OnDigit(key);
        Assert.Equal(expected, await playing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(greeting.Cancelled, "the greeting went on after the key");
    }

    [Fact]
    public async Task OtherKeysAreIgnoredAndTheGreetingPlaysToItsEnd()
    {
        var keys = Keys();
        var greeting = new Greeting();
        var playing = keys.PlayAsync(greeting.PlayAsync, CancellationToken.None);
        await greeting.Started.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (char c in "123456789ABCD") keys.OnDigit(c);
        Assert.False(playing.IsCompleted);
        greeting.Ends.SetResult();
        Assert.Equal(GreetingAction.None, await playing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(greeting.Cancelled);
    }

    [Fact]
    public async Task WithoutSubscriberServicesOnlyPoundHasAMeaning()
    {
        var keys = Keys(subscriberServices: false);
        var greeting = new Greeting();
        var playing = keys.PlayAsync(greeting.PlayAsync, CancellationToken.None);
        await greeting.Started.WaitAsync(TimeSpan.FromSeconds(30));
        keys.OnDigit('0');
        keys.OnDigit('*');
        Assert.False(playing.IsCompleted);
        keys.OnDigit('#');
        Assert.Equal(GreetingAction.Skip, await playing.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(keys.LogonKeys);
    }

    [Fact]
    public async Task AKeyPressedBeforeTheGreetingStartsCounts()
    {
        var keys = Keys();
        keys.OnDigit('#');
        var greeting = new Greeting();
        Assert.Equal(GreetingAction.Skip, await keys.PlayAsync(greeting.PlayAsync, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(greeting.Cancelled);
    }

    [Fact]
    public async Task OnlyTheFirstKeyCounts()
    {
        var keys = Keys();
        keys.OnDigit('0');
        keys.OnDigit('*');
        keys.OnDigit('#');
        Assert.Equal(GreetingAction.Operator, await keys.PlayAsync(new Greeting().PlayAsync, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        // Not handed to the subscriber session either: only keys after a '*' that counted go there.
        Assert.Equal(0, keys.LogonKeys!.Buffered);
    }

    [Fact]
    public async Task TheKeysAfterStarGoToTheSubscriberSessionTypedAhead()
    {
        var keys = Keys();
        var greeting = new Greeting();
        var playing = keys.PlayAsync(greeting.PlayAsync, CancellationToken.None);
        await greeting.Started.WaitAsync(TimeSpan.FromSeconds(30));
        foreach (char c in "*418527#") keys.OnDigit(c);
        Assert.Equal(GreetingAction.Logon, await playing.WaitAsync(TimeSpan.FromSeconds(30)));
        var pin = await keys.LogonKeys!.ReadAsync(new DtmfRequest(25, '#', TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), CancellationToken.None);
        Assert.Equal(new DtmfInput("418527", DtmfEnd.Terminator), pin);
    }

    [Fact]
    public async Task KeysAfterTheGreetingEndedAreNotItsOwn()
    {
        var keys = Keys();
        var greeting = new Greeting();
        greeting.Ends.SetResult();
        Assert.Equal(GreetingAction.None, await keys.PlayAsync(greeting.PlayAsync, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        // During the recording: '#' is the recorder's, and '*' does not open a logon nor feed the session.
        keys.OnDigit('*');
        keys.OnDigit('1');
        keys.OnDigit('#');
        Assert.Equal(0, keys.LogonKeys!.Buffered);
    }

    [Fact]
    public async Task AHangUpDuringTheGreetingIsACancellation()
    {
        var keys = Keys();
        using var hangUp = new CancellationTokenSource();
        var greeting = new Greeting();
        var playing = keys.PlayAsync(greeting.PlayAsync, hangUp.Token);
        await greeting.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => playing.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
