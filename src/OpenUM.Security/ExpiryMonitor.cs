using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace OpenUM.Security;

/// <summary>Whose certificate an expiry event is about.</summary>
public enum ExpiryRole
{
    /// <summary>The certificate the server presents.</summary>
    Service,
    /// <summary>A trusted root or peer certificate.</summary>
    Trusted,
}

/// <summary>A certificate for <see cref="ExpiryMonitor"/> to watch.</summary>
public sealed record MonitoredCertificate(X509Certificate2 Certificate, ExpiryRole Role)
{
    /// <summary>What a TLS context depends on: its server certificate and every trusted certificate.</summary>
    public static IEnumerable<MonitoredCertificate> Of(TlsContext context) =>
        context.Validator.Trust.Certificates.Select(c => new MonitoredCertificate(c, ExpiryRole.Trusted))
            .Prepend(new MonitoredCertificate(context.ServerCertificate, ExpiryRole.Service));
}

/// <summary>An expiry event due: 1120 (Warning before expiry, Error after) or 1123.</summary>
public sealed record ExpiryEvent(int EventId, LogLevel Level, ExpiryRole Role, CertificateDetails Certificate, int DaysLeft, bool Expired);

/// <summary>Expiry monitoring (CERT-5): 1120 once a day from the threshold on, as Error once expired; 1123 at first sight otherwise.</summary>
public sealed class ExpiryMonitor : IDisposable
{
    /// <summary>Exchange's DaysBeforeCertExpiryForAlert default as the seed states it.</summary>
    public const int DefaultDaysBeforeAlert = 30;

    private readonly Func<IEnumerable<MonitoredCertificate>> _certificates;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateOnly> _lastAlert = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private ITimer? _timer;

    /// <summary>Watches what <paramref name="certificates"/> returns at each check (so rotations are picked up).</summary>
    /// <param name="checkInterval">How often the timer checks; hourly by default so a day is never skipped. Alerts stay once per UTC day.</param>
    public ExpiryMonitor(Func<IEnumerable<MonitoredCertificate>> certificates, ILogger logger, TimeProvider time,
        int daysBeforeAlert = DefaultDaysBeforeAlert, TimeSpan? checkInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(daysBeforeAlert);
        _certificates = certificates;
        _logger = logger;
        _time = time;
        DaysBeforeAlert = daysBeforeAlert;
        _interval = checkInterval ?? TimeSpan.FromHours(1);
    }

    /// <summary>Days before NotAfter from which 1120 is raised.</summary>
    public int DaysBeforeAlert { get; }

    /// <summary>The events due at <paramref name="now"/>; records them as raised.</summary>
    public IReadOnlyList<ExpiryEvent> Check(DateTimeOffset now)
    {
        var due = new List<ExpiryEvent>();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        lock (_gate)
        {
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (cert, role) in _certificates())
            {
                var key = role + ":" + cert.Thumbprint;
                if (!present.Add(key)) continue;
                var daysLeft = CertificateFacts.DaysLeft(cert, now);
                var expired = now > CertificateFacts.NotAfter(cert);
                if (expired || daysLeft <= DaysBeforeAlert)
                {
                    if (!_lastAlert.TryGetValue(key, out var last) || last != today)
                    {
                        _lastAlert[key] = today;
                        due.Add(new ExpiryEvent(1120, expired ? LogLevel.Error : LogLevel.Warning, role, CertificateDetails.From(cert), daysLeft, expired));
                    }
                }
                else if (role == ExpiryRole.Service && !_seen.Contains(key))
                {
                    // Trusted certificates only warn: a 1123 per root at every start would drown the log.
                    due.Add(new ExpiryEvent(1123, LogLevel.Information, role, CertificateDetails.From(cert), daysLeft, false));
                }
                _seen.Add(key);
            }
            // Forget removed certificates so the state does not grow with every rotation.
            _seen.RemoveWhere(k => !present.Contains(k));
            foreach (var k in _lastAlert.Keys.Where(k => !present.Contains(k)).ToArray()) _lastAlert.Remove(k);
        }
        return due;
    }

    /// <summary>Checks now and logs what is due.</summary>
    public IReadOnlyList<ExpiryEvent> RunOnce()
    {
        var events = Check(_time.GetUtcNow());
        foreach (var e in events) Log(e);
        return events;
    }

    /// <summary>Starts checking at once and then every check interval, on a timer from the TimeProvider.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _timer ??= _time.CreateTimer(_ => Tick(), null, TimeSpan.Zero, _interval);
        }
    }

    /// <summary>Stops the timer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void Tick()
    {
        try
        {
            RunOnce();
        }
        catch (Exception ex)
        {
            // An exception on a timer thread would end the process: a store being rewritten must not
            // take the server down with it. The next tick tries again.
            _logger.LogWarning(ex, "Certificate expiry check failed");
        }
    }

    private void Log(ExpiryEvent e)
    {
        var c = e.Certificate;
        var role = e.Role == ExpiryRole.Service ? "Server" : "Trusted";
        if (e.EventId == 1123)
        {
            SecurityEvents.CertificateExpiryIsGood(_logger, role, c.Subject, c.Thumbprint, c.NotAfter, e.DaysLeft, DaysBeforeAlert);
        }
        else
        {
            SecurityEvents.CertificateNearExpiry(_logger, e.Level, role, c.Subject, c.Thumbprint, e.Expired ? "expired" : "expires",
                c.NotAfter, e.DaysLeft, DaysBeforeAlert);
        }
    }
}
