using Microsoft.Extensions.Time.Testing;
using OpenUM.AdminApi.WebConsole;
using OpenUM.Management;

namespace OpenUM.AdminApi.Tests;

/// <summary>The console's sessions end when unused for 30 minutes or 8 hours old, and never number more than the bound.</summary>
public sealed class ConsoleSessionsTests
{
    private static readonly ApiPrincipal Ops = new("console:ops@127.0.0.1", AdminScope.Admin, new AdminToken("ops", AdminScope.Admin, DateTimeOffset.UnixEpoch, ""));

    [Fact]
    public void ASessionUnusedForHalfAnHourEnds()
    {
        var time = new FakeTimeProvider();
        var sessions = new ConsoleSessions(time);
        var session = sessions.Create(Ops);

        time.Advance(ConsoleSessions.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Same(session, sessions.Find(session.Id));
        time.Advance(ConsoleSessions.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Same(session, sessions.Find(session.Id)); // each use restarts the idle clock
        time.Advance(ConsoleSessions.IdleTimeout);
        Assert.Null(sessions.Find(session.Id));
    }

    [Fact]
    public void ASessionInUseStillEndsAfterEightHours()
    {
        var time = new FakeTimeProvider();
        var sessions = new ConsoleSessions(time);
        var session = sessions.Create(Ops);

        for (var used = TimeSpan.Zero; used < ConsoleSessions.AbsoluteTimeout - TimeSpan.FromMinutes(20); used += TimeSpan.FromMinutes(20))
        {
            time.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(sessions.Find(session.Id));
        }
        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Null(sessions.Find(session.Id));
    }

    [Fact]
    public void TheLeastRecentlyUsedSessionMakesRoomAndIdsAreUnique()
    {
        var time = new FakeTimeProvider();
        var sessions = new ConsoleSessions(time);
        var first = sessions.Create(Ops);
        time.Advance(TimeSpan.FromSeconds(1));
        var rest = Enumerable.Range(0, ConsoleSessions.MaxSessions).Select(i => sessions.Create(Principal("user" + i, AdminScope.ReadOnly))).ToList();

        Assert.Equal(ConsoleSessions.MaxSessions, sessions.Count);
        Assert.Null(sessions.Find(first.Id));
        Assert.Equal(rest.Count, rest.Select(s => s.Id).Distinct().Count());
        Assert.All(rest, s => Assert.NotEqual(s.Id, s.Csrf));
        Assert.False(rest[0].CsrfMatches(rest[1].Csrf));
        Assert.False(rest[0].CsrfMatches(null));
        Assert.True(rest[0].CsrfMatches(rest[0].Csrf));
    }

    [Fact]
    public void SigningInAgainAndAgainWithOneTokenEndsOnlyThatTokensSessions()
    {
        var time = new FakeTimeProvider();
        var sessions = new ConsoleSessions(time);
        var admin = sessions.Create(Ops);
        var viewer = Principal("viewer", AdminScope.ReadOnly);
        var theirs = new List<ConsoleSession>();
        for (int i = 0; i < ConsoleSessions.MaxSessions * 2; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            theirs.Add(sessions.Create(viewer));
        }

        Assert.NotNull(sessions.Find(admin.Id));   // the oldest session of all, and still there
        Assert.Equal(ConsoleSessions.MaxPerCredential + 1, sessions.Count);
        Assert.All(theirs[^ConsoleSessions.MaxPerCredential..], s => Assert.NotNull(sessions.Find(s.Id)));
        Assert.Null(sessions.Find(theirs[^(ConsoleSessions.MaxPerCredential + 1)].Id));
    }

    private static ApiPrincipal Principal(string name, AdminScope scope) =>
        new($"console:{name}@127.0.0.1", scope, new AdminToken(name, scope, DateTimeOffset.UnixEpoch, ""));
}
