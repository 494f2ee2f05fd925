using Microsoft.Extensions.Time.Testing;
using OpenUM.Media.Session;

namespace OpenUM.Media.Tests;

/// <summary>
/// The clock's list of paced sources at thousands of calls: a source that is done leaves without disturbing the others,
/// and a call starting costs no copy of the list (it used to copy the whole array on every start and end).
/// </summary>
public sealed class MediaClockSourcesTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    private sealed class Source : IPacedSource
    {
        private int _ticks;
        public volatile bool Done;
        public int Ticks => Volatile.Read(ref _ticks);
        public bool HasWork => !Done;

        public bool OnTick(long timestamp)
        {
            Interlocked.Increment(ref _ticks);
            return !Done;
        }
    }

    [Fact]
    public async Task SourcesThatAreDoneLeaveAndTheOthersKeepTheirTicks()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        var sources = Enumerable.Range(0, 300).Select(_ => new Source()).ToArray();
        foreach (var s in sources)
            clock.Activate(s);
        // The loop may take its first snapshot after the first Activate: the others tick from the next frame on.
        await AdvanceUntil(time, () => sources.All(s => s.Ticks >= 1), "every source ticked");

        // Every third one is done: it leaves on its next tick, from the front, the middle and the end of the list.
        foreach (var s in sources.Where((_, i) => i % 3 == 0))
            s.Done = true;
        await AdvanceUntil(time, () => clock.ActiveCount == 200, "the done sources left");
        var leftAt = sources.Select(s => s.Ticks).ToArray();
        int before = sources[1].Ticks;
        await AdvanceUntil(time, () => sources[1].Ticks >= before + 3, "three more ticks");

        for (int i = 0; i < sources.Length; i++)
        {
            if (i % 3 == 0)
                Assert.Equal(leftAt[i], sources[i].Ticks);     // gone: no tick since
            else
                Assert.True(sources[i].Ticks >= before + 3 - 1, $"source {i} missed ticks: {sources[i].Ticks} against {sources[1].Ticks}");
        }

        // One that left comes back when it has work again, once.
        sources[0].Done = false;
        clock.Activate(sources[0]);
        clock.Activate(sources[0]);
        Assert.Equal(201, clock.ActiveCount);
    }

    [Fact]
    public async Task AddingASourceToAThousandCostsNoCopyOfTheList()
    {
        var time = new FakeTimeProvider();
        await using var clock = new MediaClock(time);
        var many = Enumerable.Range(0, 1000).Select(_ => new Source()).ToArray();
        foreach (var s in many)
            clock.Activate(s);
        // The list and its index have grown to a thousand; one more source in them allocates nothing.
        var extra = new Source();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        clock.Activate(extra);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(1001, clock.ActiveCount);
        Assert.True(allocated < 1000 * IntPtr.Size, $"adding the 1,001st source allocated {allocated} bytes (a copy of the list is {1000 * IntPtr.Size})");
    }

    private static async Task AdvanceUntil(FakeTimeProvider time, Func<bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.False(guard.IsCancellationRequested, "hang guard: " + what);
            time.Advance(Frame);
            await Task.Delay(1);
        }
    }
}
