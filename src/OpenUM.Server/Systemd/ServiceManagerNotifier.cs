using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using OpenUM.Sip;

namespace OpenUM.Server.Systemd;

/// <summary>
/// What the service tells systemd under <c>Type=notify</c> (sd_notify(3), through Microsoft.Extensions.Hosting.Systemd's
/// notifier): READY=1 once the listeners are bound, RELOADING=1 … READY=1 around <c>systemctl reload</c>, STOPPING=1,
/// and WATCHDOG=1 while the SIP timer wheel — which drives every transaction and call timer — still fires.
/// Without NOTIFY_SOCKET (not started by systemd) every call does nothing.
/// </summary>
public sealed class ServiceManagerNotifier : IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private TimerWheel? _wheel;
    private TimeSpan _interval;
    private TimerWheelEntry? _next;
    private volatile bool _stopped;

    /// <summary>A notifier sending to <paramref name="notifier"/> (the library's <see cref="SystemdNotifier"/> in production).</summary>
    public ServiceManagerNotifier(ISystemdNotifier notifier, TimeProvider time) => (_notifier, _time) = (notifier, time);

    /// <summary>Whether systemd listens (NOTIFY_SOCKET is set).</summary>
    public bool IsEnabled => _notifier.IsEnabled;

    /// <summary>The service is up: its listeners are bound. <paramref name="status"/> is shown by <c>systemctl status</c>.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={OneLine(status)}\nMAINPID={Environment.ProcessId}");

    /// <summary>A reload starts (SIGHUP); <see cref="Reloaded"/> ends it. MONOTONIC_USEC is what systemd 253+ pairs it with.</summary>
    public void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}");

    /// <summary>The reload is over, whatever its result (the last good certificate stays in force on failure).</summary>
    public void Reloaded(string status) => Send($"READY=1\nSTATUS={OneLine(status)}");

    /// <summary>The service is stopping: calls are being ended.</summary>
    public void Stopping(string status)
    {
        _stopped = true;
        _next?.Cancel();
        Send($"STOPPING=1\nSTATUS={OneLine(status)}");
    }

    /// <summary>
    /// Starts the WATCHDOG=1 pings at half the interval systemd asked for (WATCHDOG_USEC), from a timer on
    /// <paramref name="wheel"/>: a stuck wheel stops the pings and systemd restarts the service.
    /// </summary>
    public void StartWatchdog(TimerWheel wheel, TimeSpan? interval)
    {
        if (!IsEnabled || interval is not { } every || every <= TimeSpan.Zero) return;
        (_wheel, _interval) = (wheel, every / 2);
        Ping(null);
    }

    /// <summary>
    /// The watchdog interval systemd set for this process: WATCHDOG_USEC, when WATCHDOG_PID is absent or names it;
    /// null when there is none or the values are not numbers.
    /// </summary>
    public static TimeSpan? WatchdogInterval(string? usec, string? pid, int processId)
    {
        if (string.IsNullOrEmpty(usec) || !long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long us) || us <= 0)
            return null;
        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p != processId))
            return null;
        return TimeSpan.FromMicroseconds(us);
    }

    /// <summary>The interval from this process's environment (see <see cref="WatchdogInterval(string?, string?, int)"/>).</summary>
    public static TimeSpan? WatchdogIntervalFromEnvironment() => WatchdogInterval(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    private void Ping(object? _)
    {
        if (_stopped) return;
        Send("WATCHDOG=1");
        _next = _wheel!.Schedule(_interval, Ping, null);
    }

    private void Send(string state)
    {
        if (_notifier.IsEnabled) _notifier.Notify(new ServiceState(state));
    }

    // CLOCK_MONOTONIC in microseconds: Stopwatch's timestamp on Linux (nanoseconds, hence Int128 against overflow).
    private long MonotonicMicroseconds() => (long)((Int128)_time.GetTimestamp() * 1_000_000 / _time.TimestampFrequency);

    // A state line ends at a newline: a status with one would start another (unknown) assignment.
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <inheritdoc />
    public void Dispose()
    {
        _stopped = true;
        _next?.Cancel();
    }
}
