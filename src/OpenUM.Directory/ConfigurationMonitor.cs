namespace OpenUM.Directory;

/// <summary>
/// Keeps a current <see cref="ConfigurationSnapshot"/> by polling the store's cheap version number and
/// reloading when it moves (CFG-2: changes reach new calls without a restart). <see cref="Current"/> is
/// always a complete snapshot; a failed poll or reload keeps the last good one and raises <see cref="Error"/>.
/// </summary>
public sealed class ConfigurationMonitor : IDisposable
{
    /// <summary>Meter of the configuration model.</summary>
    public const string MeterName = "OpenUM.Directory";
    private static readonly System.Diagnostics.Metrics.Meter s_meter = new(MeterName);
    private static readonly System.Diagnostics.Metrics.Counter<long> s_reloads = s_meter.CreateCounter<long>("openum.configuration.reloads",
        "{reload}", "Configuration reloads after a change of the store's version (result applied), and polls or reloads that failed (result failed)");
    private static readonly KeyValuePair<string, object?> Applied = new("result", "applied");
    private static readonly KeyValuePair<string, object?> Failed = new("result", "failed");

    private readonly IConfigurationStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly Lock _pollGate = new();
    private ConfigurationSnapshot _current;
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Loads the initial snapshot (throws if the store cannot be read); call <see cref="Start"/> to poll.</summary>
    public ConfigurationMonitor(IConfigurationStore store, TimeProvider time, TimeSpan pollInterval)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        _store = store;
        _time = time;
        _pollInterval = pollInterval;
        _current = store.Load();
    }

    /// <summary>The latest good snapshot; read it once per call and keep using that instance.</summary>
    public ConfigurationSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised (on the polling thread) after <see cref="Current"/> has been replaced.</summary>
    public event Action<ConfigurationSnapshot>? Changed;

    /// <summary>Raised when polling or reloading failed (the last good snapshot stays) or a Changed handler threw.</summary>
    public event Action<Exception>? Error;

    /// <summary>Starts polling every interval; calling it again does nothing.</summary>
    public void Start()
    {
        lock (_pollGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _timer ??= _time.CreateTimer(_ => Poll(), null, _pollInterval, _pollInterval);
        }
    }

    /// <summary>Checks the version now and reloads if it moved; true when <see cref="Current"/> changed.</summary>
    public bool Poll()
    {
        // Timer ticks can overlap when a reload is slower than the interval; one poll at a time is enough.
        if (!_pollGate.TryEnter())
        {
            return false;
        }

        ConfigurationSnapshot? fresh = null;
        try
        {
            if (_disposed || _store.GetVersion() == Current.Version)
            {
                return false;
            }

            var loaded = _store.Load();
            if (loaded.Version == Current.Version)
            {
                return false;
            }

            Volatile.Write(ref _current, loaded);
            fresh = loaded;
            s_reloads.Add(1, Applied);
        }
        catch (Exception ex)
        {
            s_reloads.Add(1, Failed);
            RaiseError(ex);
            return false;
        }
        finally
        {
            _pollGate.Exit();
        }

        try
        {
            Changed?.Invoke(fresh);
        }
        catch (Exception ex)
        {
            RaiseError(ex);
        }

        return true;
    }

    /// <summary>Stops polling.</summary>
    public void Dispose()
    {
        lock (_pollGate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void RaiseError(Exception ex)
    {
        try
        {
            Error?.Invoke(ex);
        }
        catch (Exception)
        {
            // A failing error handler must not take down the timer thread; there is nobody left to tell.
        }
    }
}
