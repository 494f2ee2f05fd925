using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace OpenUM.AdminApi.WebConsole;

/// <summary>One signed-in browser: who it is, its anti-CSRF token, and when it was made and last used.</summary>
internal sealed class ConsoleSession(string id, ApiPrincipal principal, string csrf, DateTimeOffset created)
{
    /// <summary>The cookie's value: 256 random bits.</summary>
    public string Id { get; } = id;

    /// <summary>Who signed in ("console:ops@127.0.0.1") and what they may do.</summary>
    public ApiPrincipal Principal { get; } = principal;

    /// <summary>The token every form of this session carries.</summary>
    public string Csrf { get; } = csrf;

    /// <summary>When the session began (the absolute expiry counts from here).</summary>
    public DateTimeOffset Created { get; } = created;

    /// <summary>When the session was last used (the idle expiry counts from here).</summary>
    public DateTimeOffset LastSeen { get; set; } = created;

    // What the last change said, shown once on the page its redirect leads to. Kept here rather than in the redirect's
    // URL: a link with "?done=..." would otherwise put any text an outsider chose on a console page.
    private string? _said;

    /// <summary>Keeps <paramref name="said"/> for the next page this session gets.</summary>
    public void Say(string said) => Volatile.Write(ref _said, said);

    /// <summary>What the last change said, once (null when nothing waits).</summary>
    public string? TakeSaid() => Interlocked.Exchange(ref _said, null);

    /// <summary>Whether <paramref name="given"/> is this session's anti-CSRF token, compared in constant time.</summary>
    public bool CsrfMatches(string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(Csrf));
}

/// <summary>
/// The console's sessions, in memory only (a restart signs everyone out): at most <see cref="MaxPerCredential"/> per
/// credential and <see cref="MaxSessions"/> in all (the least recently used one goes first: of the same credential
/// first, so that someone signing in again and again with one token ends their own sessions, not an administrator's),
/// each ending after <see cref="IdleTimeout"/> unused or <see cref="AbsoluteTimeout"/> in all.
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time)
{
    /// <summary>Sessions held at once.</summary>
    public const int MaxSessions = 256;

    /// <summary>Sessions one token or certificate credential holds at once (browsers, tabs signed in separately).</summary>
    public const int MaxPerCredential = 16;

    /// <summary>A session unused this long is gone.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);

    /// <summary>A session this old is gone, used or not.</summary>
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(8);

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new session for <paramref name="principal"/>.</summary>
    public ConsoleSession Create(ApiPrincipal principal)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        while (_sessions.Values.Count(s => s.Principal.Credential.Name == principal.Credential.Name) >= MaxPerCredential
            && _sessions.Values.Where(s => s.Principal.Credential.Name == principal.Credential.Name).MinBy(s => s.LastSeen) is { } own)
            _sessions.TryRemove(own.Id, out _);
        while (_sessions.Count >= MaxSessions)
        {
            var oldest = _sessions.Values.MinBy(s => s.LastSeen);
            if (oldest is null) break;
            _sessions.TryRemove(oldest.Id, out _);
        }
        var session = new ConsoleSession(Random(), principal, Random(), now);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The live session of <paramref name="id"/>, its idle clock restarted; null when there is none.</summary>
    public ConsoleSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session)) return null;
        var now = time.GetUtcNow();
        if (Expired(session, now))
        {
            _sessions.TryRemove(id, out _);
            return null;
        }
        session.LastSeen = now;
        return session;
    }

    /// <summary>Ends the session of <paramref name="id"/>.</summary>
    public void Remove(string id) => _sessions.TryRemove(id, out _);

    /// <summary>How many sessions are held.</summary>
    public int Count => _sessions.Count;

    private static bool Expired(ConsoleSession s, DateTimeOffset now) => now - s.LastSeen >= IdleTimeout || now - s.Created >= AbsoluteTimeout;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var s in _sessions.Values)
            if (Expired(s, now)) _sessions.TryRemove(s.Id, out _);
    }

    // 256 bits, URL- and cookie-safe.
    private static string Random() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
