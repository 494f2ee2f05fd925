using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;

namespace OpenUM.Sip.Tests.Stack;

public sealed class TimerWheelTests
{
    private static readonly Action<object?> Record = static s => ((Recorder)s!).Fire();

    [Fact]
    public void Fires_in_deadline_order_not_schedule_order()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time);
        var fired = new List<int>();
        foreach (var ms in new[] { 300, 100, 200, 100, 50 })
        {
            wheel.Schedule(TimeSpan.FromMilliseconds(ms), Record, new Recorder(fired, ms));
        }

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(new[] { 50, 100, 100, 200, 300 }, fired);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Does_not_fire_before_the_deadline()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time);
        var fired = new List<int>();
        wheel.Schedule(TimeSpan.FromMilliseconds(500), Record, new Recorder(fired, 1));

        time.Advance(TimeSpan.FromMilliseconds(480));
        Assert.Empty(fired);
        time.Advance(TimeSpan.FromMilliseconds(30));
        Assert.Equal(new[] { 1 }, fired);
    }

    [Fact]
    public void Cancelled_entries_never_fire()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time);
        var fired = new List<int>();
        var keep = wheel.Schedule(TimeSpan.FromMilliseconds(100), Record, new Recorder(fired, 1));
        var drop = wheel.Schedule(TimeSpan.FromMilliseconds(100), Record, new Recorder(fired, 2));

        Assert.True(drop.Cancel());
        Assert.False(drop.Cancel());
        Assert.False(drop.IsPending);
        Assert.Equal(1, wheel.Count);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(new[] { 1 }, fired);
        Assert.False(keep.Cancel());
    }

    [Fact]
    public void A_callback_can_cancel_a_later_entry_due_in_the_same_tick()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time);
        var fired = new List<int>();
        TimerWheelEntry? second = null;
        wheel.Schedule(TimeSpan.FromMilliseconds(10), _ => { fired.Add(1); second!.Cancel(); }, null);
        second = wheel.Schedule(TimeSpan.FromMilliseconds(20), Record, new Recorder(fired, 2));

        time.Advance(TimeSpan.FromSeconds(1)); // both are due in one tick

        Assert.Equal(new[] { 1 }, fired);
    }

    [Fact]
    public void Many_timers_beyond_one_wheel_revolution_all_fire_once_in_order()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time, TimeSpan.FromMilliseconds(10), slotCount: 64);
        var fired = new List<int>();
        var random = new Random(1234);
        const int count = 5000;
        for (var i = 0; i < count; i++)
        {
            var ms = random.Next(1, 60_000);
            wheel.Schedule(TimeSpan.FromMilliseconds(ms), Record, new Recorder(fired, ms));
        }

        // Small steps exercise the per-tick walk, the final jump the whole-wheel sweep.
        for (var i = 0; i < 300; i++) time.Advance(TimeSpan.FromMilliseconds(100));
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(count, fired.Count);
        for (var i = 1; i < fired.Count; i++)
        {
            // Within one 10 ms tick the order is schedule order, so compare at tick granularity.
            Assert.True(Ceil10(fired[i - 1]) <= Ceil10(fired[i]), $"{fired[i - 1]} fired after {fired[i]}");
        }
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void A_callback_may_schedule_more_timers_and_exceptions_are_contained()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time);
        var errors = new List<Exception>();
        wheel.CallbackFailed += errors.Add;
        var fired = new List<int>();
        wheel.Schedule(TimeSpan.FromMilliseconds(10), _ => throw new InvalidOperationException("boom"), null);
        wheel.Schedule(TimeSpan.FromMilliseconds(20), _ =>
        {
            fired.Add(1);
            wheel.Schedule(TimeSpan.FromMilliseconds(500), Record, new Recorder(fired, 2));
        }, null);

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(new[] { 1 }, fired);
        Assert.Single(errors);
        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(new[] { 1, 2 }, fired);
    }

    [Fact]
    public void Idle_wheel_resumes_from_the_present()
    {
        var time = new FakeTimeProvider();
        using var wheel = new TimerWheel(time);
        var fired = new List<int>();
        time.Advance(TimeSpan.FromHours(1)); // nothing pending: the wheel's timer is stopped
        wheel.Schedule(TimeSpan.FromSeconds(1), Record, new Recorder(fired, 1));

        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Empty(fired);
        time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new[] { 1 }, fired);
    }

    private static int Ceil10(int ms) => (ms + 9) / 10;

    private sealed class Recorder(List<int> into, int value)
    {
        public void Fire() => into.Add(value);
    }
}
