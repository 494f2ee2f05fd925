using Microsoft.Extensions.Time.Testing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Sip;

namespace OpenUM.Calls.Tests.SubscriberAccess;

/// <summary>Key collection with timeouts on the timer wheel, driven by fake time (no sleeping).</summary>
public sealed class DtmfCollectorTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly TimerWheel _wheel;
    private readonly DtmfCollector _keys;
    private static readonly DtmfRequest Pin = new(24, '#', TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

    public DtmfCollectorTests()
    {
        _wheel = new TimerWheel(_time);
        _keys = new DtmfCollector(_wheel);
    }

    public void Dispose() => _wheel.Dispose();

    [Fact]
    public async Task TerminatorEndsTheReadAndIsNotADigit()
    {
        var read = _keys.ReadAsync(Pin, CancellationToken.None);
        foreach (char c in "1234#") _keys.OnDigit(c);
        var input = await read;
        Assert.Equal(new DtmfInput("1234", DtmfEnd.Terminator), input);
        Assert.Equal(0, _wheel.Count); // the timeout entry is gone with the read
    }

    [Fact]
    public async Task TypeAheadAnswersTheNextReadsInOrder()
    {
        foreach (char c in "1000#99#") _keys.OnDigit(c);
        Assert.Equal(8, _keys.Buffered);
        var first = await _keys.ReadAsync(new DtmfRequest(4, '#', TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), CancellationToken.None);
        Assert.Equal(new DtmfInput("1000", DtmfEnd.MaxDigits), first);
        // The '#' after a full extension stays buffered and ends the next read at once, empty: callers type "1000#".
        var hash = await _keys.ReadAsync(Pin, CancellationToken.None);
        Assert.Equal(new DtmfInput("", DtmfEnd.Terminator), hash);
        var second = await _keys.ReadAsync(Pin, CancellationToken.None);
        Assert.Equal(new DtmfInput("99", DtmfEnd.Terminator), second);
    }

    [Fact]
    public async Task FirstDigitTimeoutFiresOnTheWheel()
    {
        var read = _keys.ReadAsync(Pin, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(read.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));
        var input = await read;
        Assert.Equal(new DtmfInput("", DtmfEnd.Timeout), input);
    }

    [Fact]
    public async Task InterDigitTimeoutRestartsAtEveryKey()
    {
        var read = _keys.ReadAsync(Pin, CancellationToken.None);
        _keys.OnDigit('1');
        _time.Advance(TimeSpan.FromSeconds(4));
        _keys.OnDigit('2');
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(read.IsCompleted); // 8 s since the first key, but only 4 s since the last
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(new DtmfInput("12", DtmfEnd.Timeout), await read);
    }

    [Fact]
    public async Task CancellationEndsTheReadAndLetsANewOneStart()
    {
        using var cts = new CancellationTokenSource();
        var read = _keys.ReadAsync(Pin, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        var next = _keys.ReadAsync(DtmfRequest.Key(TimeSpan.FromSeconds(3)), CancellationToken.None);
        _keys.OnDigit('6');
        Assert.Equal(new DtmfInput("6", DtmfEnd.MaxDigits), await next);
    }

    [Fact]
    public void NonKeysAreIgnoredAndTypeAheadIsBounded()
    {
        _keys.OnDigit('x');
        _keys.OnDigit(' ');
        Assert.Equal(0, _keys.Buffered);
        for (int i = 0; i < 1000; i++) _keys.OnDigit('5');
        Assert.Equal(64, _keys.Buffered);
        _keys.Clear();
        Assert.Equal(0, _keys.Buffered);
    }

    [Fact]
    public void KeyPressedIsRaisedForEveryKey()
    {
        int raised = 0;
        _keys.KeyPressed += () => raised++;
        _keys.OnDigit('1');
        _keys.OnDigit('#');
        Assert.Equal(2, raised);
    }
}
