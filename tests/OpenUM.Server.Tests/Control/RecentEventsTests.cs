using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Server.Control;

namespace OpenUM.Server.Tests.Control;

/// <summary>The last warnings and errors `openum status` shows: only those, the newest few, each cut to a bounded length.</summary>
public sealed class RecentEventsTests
{
    [Fact]
    public void KeepsTheLastWarningsAndErrorsOldestFirstAndBounded()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero));
        using var recent = new RecentEvents(time);
        var logger = recent.CreateLogger("test");
        logger.Log(LogLevel.Information, new EventId(2002), "answered", null, (s, _) => s);
        for (int i = 0; i < RecentEvents.Capacity + 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            logger.Log(i % 2 == 0 ? LogLevel.Warning : LogLevel.Error, new EventId(1000 + i), $"problem {i}", null, (s, _) => s);
        }
        logger.Log(LogLevel.Critical, new EventId(2066), new string('m', 1000), null, (s, _) => s);

        var kept = recent.Snapshot();
        Assert.Equal(RecentEvents.Capacity, kept.Count);
        Assert.DoesNotContain(kept, e => e.Id == 2002);
        // 13 problems (1000-1012) and the critical one: the last nine problems and the critical one remain.
        Assert.Equal(Enumerable.Range(1004, RecentEvents.Capacity - 1).Append(2066), kept.Select(e => e.Id));
        Assert.Equal("problem 4", kept[0].Message);
        Assert.Equal("Warning", kept[0].Level);
        Assert.Equal("Error", kept[1].Level);
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromSeconds(8), kept[0].Time);
        Assert.Equal(RecentEvents.MaxMessageLength, kept[^1].Message.Length);
        Assert.EndsWith("...", kept[^1].Message, StringComparison.Ordinal);
    }
}
