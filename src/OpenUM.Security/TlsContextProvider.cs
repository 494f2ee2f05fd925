using Microsoft.Extensions.Logging;

namespace OpenUM.Security;

/// <summary>The outcome of <see cref="TlsContextProvider.Reload"/>.</summary>
public sealed record TlsReloadResult(bool Succeeded, bool CertificateChanged, TlsContext? Current, Exception? Error);

/// <summary>Holds the current <see cref="TlsContext"/> in one reference swapped atomically (CERT-6).</summary>
/// <remarks>
/// Each new connection reads <see cref="Current"/> once and keeps that context for its lifetime, so a
/// reload never disturbs established calls; a failed reload leaves the last good context in place.
/// </remarks>
public sealed class TlsContextProvider(Func<TlsContext> factory, ILogger logger)
{
    private readonly Lock _reloadGate = new();
    private TlsContext? _current;

    /// <summary>Raised when a reload fails; the previous context stays current.</summary>
    public event Action<Exception>? ReloadFailed;

    /// <summary>The context for new connections; throws until the first successful <see cref="Reload"/>.</summary>
    public TlsContext Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("No TLS context has been loaded yet.");

    /// <summary>The current context, or null before the first successful load.</summary>
    public TlsContext? TryGetCurrent() => Volatile.Read(ref _current);

    /// <summary>Builds a new context and publishes it; logs 1112, and 1116/1117 when the certificate changed.</summary>
    public TlsReloadResult Reload()
    {
        lock (_reloadGate)
        {
            var previous = _current;
            TlsContext next;
            try
            {
                next = factory();
            }
            catch (Exception ex)
            {
                // Whatever went wrong (store unreadable, key mismatch, no usable certificate), serving
                // the previous certificate beats refusing every new connection.
                ReloadFailed?.Invoke(ex);
                return new TlsReloadResult(false, false, previous, ex);
            }
            var changed = previous is not null && previous.ServerCertificate.Thumbprint != next.ServerCertificate.Thumbprint;
            if (changed) SecurityEvents.StoppingListeningForCertificateChange(logger, previous!.ServerCertificate.Thumbprint, next.ServerCertificate.Thumbprint);
            Volatile.Write(ref _current, next);
            if (changed)
            {
                var cert = next.ServerCertificate;
                SecurityEvents.StartedListeningWithNewCertificate(logger, cert.Thumbprint, cert.Subject, cert.SerialNumber);
            }
            if (previous is null || changed) next.Details.Log(logger);
            return new TlsReloadResult(true, changed, next, null);
        }
    }
}
