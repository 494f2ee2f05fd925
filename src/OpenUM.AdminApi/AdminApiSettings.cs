using System.Net;

namespace OpenUM.AdminApi;

/// <summary>How the admin API listens and how much one client may ask.</summary>
/// <param name="EndPoint">Address and port (`openum serve --admin-api-address`, `--admin-api-port`); port 0 picks a free one.</param>
/// <param name="DataDirectory">The server's data directory: every request runs against it.</param>
/// <param name="Store">The server's `--store` as given (null: the same resolution as the CLI's, from the environment or store.conf).</param>
internal sealed record AdminApiSettings(IPEndPoint EndPoint, string DataDirectory, string? Store)
{
    /// <summary>Requests one client (an IPv4 address or an IPv6 /64) may make each second, on average.</summary>
    public int RequestsPerSecond { get; init; } = 10;

    /// <summary>Requests one client may make at once before it must wait (the token bucket's size).</summary>
    public int Burst { get; init; } = 40;

    /// <summary>Requests all clients together may make each second, on average: many addresses still cost bounded work.</summary>
    public int GlobalRequestsPerSecond { get; init; } = 100;

    /// <summary>Requests all clients together may make at once before they must wait.</summary>
    public int GlobalBurst { get; init; } = 200;

    /// <summary>How often <see cref="RequestsPerSecond"/> (and <see cref="GlobalRequestsPerSecond"/>) requests are added back to the buckets.</summary>
    public TimeSpan ReplenishmentPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest request body: the biggest object's options fit many times over.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Longest value of one option; longer is refused before the command runs.</summary>
    public const int MaxValueLength = 4096;

    /// <summary>Most values one request may give (list options count each element).</summary>
    public const int MaxValues = 256;
}
