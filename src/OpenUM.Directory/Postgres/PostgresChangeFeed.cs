using System.Globalization;
using Npgsql;

namespace OpenUM.Directory.Postgres;

/// <summary>
/// Listens for committed configuration changes (NOTIFY on <see cref="PostgresConfigurationStore.NotificationChannel"/>)
/// on one dedicated connection. A pooled connection would not do: LISTEN belongs to a session, and a pool
/// hands sessions around and resets them. When the connection drops it reconnects with a growing delay
/// (0.5 s doubling to 30 s), raising <see cref="Lost"/> once and <see cref="Restored"/> when listening again;
/// changes missed meanwhile are caught by the <see cref="Changed"/> raised on restore.
/// </summary>
public sealed class PostgresChangeFeed : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);
    // An idle wait this long ends with a round trip, so a silently dead peer is noticed within about a minute.
    private static readonly TimeSpan IdleProbe = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Prepares a feed for the store at <paramref name="location"/>; <see cref="Start"/> connects.</summary>
    public PostgresChangeFeed(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        Location = location;
        _connectionString = new NpgsqlConnectionStringBuilder(location.ConnectionString)
        {
            Pooling = false,
            // TCP keepalives let the kernel notice a vanished server while we wait.
            TcpKeepAlive = true,
            KeepAlive = 15,
            ApplicationName = "openum-listen",
        }.ConnectionString;
    }

    /// <summary>The store listened to (printable).</summary>
    public StoreLocation Location { get; }

    /// <summary>
    /// A change was committed: the new version, or null after a reconnect (notifications may have been
    /// missed, reload to be sure). Raised on the feed's thread, one at a time.
    /// </summary>
    public event Action<long?>? Changed;

    /// <summary>The listening connection failed (raised once per outage); notifications stop until restored.</summary>
    public event Action<Exception>? Lost;

    /// <summary>Listening again after <see cref="Lost"/>, with how long the outage lasted.</summary>
    public event Action<TimeSpan>? Restored;

    /// <summary>True while the LISTEN connection is up.</summary>
    public bool Listening { get; private set; }

    /// <summary>Starts listening in the background; calling it again does nothing.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops listening and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }

        _stop.Dispose();
    }

    /// <summary>Stops listening (blocking).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync(CancellationToken ct)
    {
        var delay = FirstRetry;
        DateTime? lostAt = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += (_, e) => Raise(ParseVersion(e.Payload));
                await connection.OpenAsync(ct).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresConfigurationStore.NotificationChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                Listening = true;
                delay = FirstRetry;
                if (lostAt is { } since)
                {
                    lostAt = null;
                    RaiseRestored(DateTime.UtcNow - since);
                    // Anything committed while we were away sent its NOTIFY to nobody.
                    Raise(null);
                }

                while (!ct.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(IdleProbe, ct).ConfigureAwait(false))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection);
                        await probe.ExecuteScalarAsync(ct).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever broke the session (network, server restart, protocol error), the cure is a new one:
                // this loop must outlive every failure until it is disposed.
                Listening = false;
                if (lostAt is null)
                {
                    lostAt = DateTime.UtcNow;
                    RaiseLost(new ConfigurationStoreUnavailableException($"configuration change feed {Location}: {e.Message}", e));
                }

                try
                {
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetry.Ticks));
            }
        }

        Listening = false;
    }

    private static long? ParseVersion(string payload) =>
        long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;

    // Handlers belong to the caller; one that throws must not end the feed.
    private void Raise(long? version)
    {
        try
        {
            Changed?.Invoke(version);
        }
        catch (Exception)
        {
            // the caller's handler reports its own failures; the feed goes on
        }
    }

    private void RaiseLost(Exception e)
    {
        try
        {
            Lost?.Invoke(e);
        }
        catch (Exception)
        {
            // nobody left to tell
        }
    }

    private void RaiseRestored(TimeSpan outage)
    {
        try
        {
            Restored?.Invoke(outage);
        }
        catch (Exception)
        {
            // nobody left to tell
        }
    }
}
