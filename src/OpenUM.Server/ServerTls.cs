using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Transport;

namespace OpenUM.Server;

/// <summary>
/// The server's TLS side: the certificate in use (CERT-3, reloaded without restart when the binding or
/// the store changes — CERT-6), the names of the peers it accepts (gateway FQDNs and its own), the
/// refusal events (1426 certificate verdicts, 1113 other handshake failures, rate-limited) and the
/// expiry monitor (CERT-5). Every certificate decision itself is OpenUM.Security's.
/// </summary>
public sealed class ServerTls : IDisposable
{
    private readonly CertificateStore _store;
    private readonly string _fqdn;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TlsContextProvider _provider;
    private readonly ExpiryMonitor _expiry;
    private readonly LogThrottle _throttle;
    private volatile string[] _gatewayNames = [];
    private volatile string[] _selfNames = [];
    private volatile string[] _peerNames = [];
    private string? _bound;
    private string _storeStamp = "";
    private readonly System.Diagnostics.Metrics.Meter _meter = new(Storage.StorageMonitor.MeterName);

    /// <summary>Loads the certificate to present (generating a self-signed one for <paramref name="fqdn"/> when none is valid).</summary>
    public ServerTls(CertificateStore store, string fqdn, string? boundThumbprint, TimeProvider time, ILogger logger)
    {
        (_store, _fqdn, _bound, _time, _logger) = (store, fqdn, boundThumbprint, time, logger);
        _throttle = new LogThrottle(time, TimeSpan.FromSeconds(10));
        _provider = new TlsContextProvider(Build, logger);
        _provider.ReloadFailed += e => ServerEvents.CertificateReloadFailed(_logger, e.Message);
        _storeStamp = StoreStamp();
        var first = _provider.Reload();
        if (!first.Succeeded) throw new InvalidDataException($"no usable server certificate in {store.Root}: {first.Error?.Message}");
        _expiry = new ExpiryMonitor(() => _provider.TryGetCurrent() is { } c ? MonitoredCertificate.Of(c) : [], logger, time);
        _expiry.RunOnce();
        _expiry.Start();
        _meter.CreateObservableGauge("openum.certificate.expiry", CertificateExpiry, "s",
            "Seconds until the notAfter of the certificate the server presents (negative once expired)");
    }

    /// <summary>The certificate presented now.</summary>
    public TlsContext Current => _provider.Current;

    /// <summary>
    /// Follows a configuration change: the accepted peer names, and a reload when the bound certificate
    /// or the store's files changed (new TLS connections get the new certificate; existing ones keep theirs).
    /// </summary>
    public void Update(ConfigurationSnapshot config, string? boundThumbprint) => Apply(config, boundThumbprint, force: false);

    /// <summary>
    /// `systemctl reload`: the store's certificates, chains, trusted CAs and CRLs are read again now, whether its
    /// files look changed or not. False when they could not be loaded (2013): the certificate in use stays.
    /// </summary>
    public bool Reload(ConfigurationSnapshot config, string? boundThumbprint) => Apply(config, boundThumbprint, force: true);

    private bool Apply(ConfigurationSnapshot config, string? boundThumbprint, bool force)
    {
        _gatewayNames = [.. config.IpGateways.Where(g => !g.HasIPAddress).Select(g => g.Address.TrimEnd('.'))];
        _peerNames = [.. _gatewayNames, .. _selfNames];
        string stamp = StoreStamp();
        if (!force && stamp == _storeStamp && string.Equals(boundThumbprint, _bound, StringComparison.OrdinalIgnoreCase)) return true;
        (_bound, _storeStamp) = (boundThumbprint, stamp);
        return _provider.Reload().Succeeded;
    }

    /// <summary>
    /// One inbound handshake: a refused certificate is reported as 1426 (per address and certificate, rate-limited),
    /// an accepted one leaves the gateway it names on the handshake, hence on the connection.
    /// </summary>
    public SipTlsHandshake ServerOptions(SipConnectionInfo info)
    {
        SipTlsHandshake? handshake = null;
        handshake = new SipTlsHandshake(_provider.Current.CreateServerOptions(result =>
        {
            if (result.Accepted)
            {
                // The server's own name is its local loop (test-connectivity --secured, as Exchange's local loop test):
                // only with the certificate it presents and only from this machine. Another certificate naming the
                // server, or its own from elsewhere, names no gateway, and the call is refused as from a stranger.
                handshake!.PeerIdentity = !IsOnlySelf(result.Gateway) ? result.Gateway
                    : IsLocalLoop(info.Remote.Address, result.Thumbprint, _provider.Current.ServerCertificate.Thumbprint, LocalAddresses.IsLocal)
                        ? _fqdn : null;
                return;
            }
            handshake!.CertificateRefused = true;
            // Per address and certificate: a flood with one certificate is one event per 10 s, yet each
            // different refused certificate is still reported.
            if (_throttle.ShouldLog(info.Remote.Address + "/" + result.Thumbprint + "/" + result.Reason, out int suppressed))
                SecurityEvents.LogIfRejected(_logger, info.Remote, result, LogThrottle.Describe(suppressed));
        }));
        return handshake;
    }

    /// <summary>Options for an outbound connection (TLS-4): our certificate as client certificate, the peer's name verified.</summary>
    public SslClientAuthenticationOptions ClientOptions(IPEndPoint target, string? name) =>
        _provider.Current.CreateClientOptions(name ?? target.Address.ToString());

    /// <summary>A failed handshake: 1113 unless its certificate verdict was already reported as 1426.</summary>
    public void OnHandshakeFailed(SipConnectionInfo info, Exception error, bool certificateRefused)
    {
        if (certificateRefused) return;
        string message = (error.InnerException ?? error).Message;
        if (_throttle.ShouldLog(info.Remote.Address + "/" + message, out int suppressed))
            SecurityEvents.IncomingTlsCallFailure(_logger, info.Remote.Address.ToString(), info.Remote.Port, message, LogThrottle.Describe(suppressed));
    }

    /// <summary>
    /// Whether a peer accepted under the server's own name is the server itself: it presented
    /// <paramref name="ownThumbprint"/> (the certificate in use) and comes from an address <paramref name="isLocal"/> says is this machine's.
    /// </summary>
    public static bool IsLocalLoop(IPAddress remote, string? peerThumbprint, string ownThumbprint, Func<IPAddress, bool> isLocal) =>
        string.Equals(peerThumbprint, ownThumbprint, StringComparison.OrdinalIgnoreCase) && isLocal(remote);

    // A name of this server's own (its FQDN, or one its certificate in use carries) that no gateway has: such a peer is
    // the server itself, under the name the call layer knows it by.
    private bool IsOnlySelf(string? name) => name is not null
        && _selfNames.Contains(name, StringComparer.OrdinalIgnoreCase) && !_gatewayNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    private TlsContext Build()
    {
        var selection = CertificateSelector.Select(_store, _bound, _fqdn, _time.GetUtcNow());
        // The server is known by its FQDN and by the names of the certificate it presents: an administrator who
        // enables a certificate for um.contoso.example has named the server so, whatever the host is called.
        _selfNames = [_fqdn, .. CertificateFacts.DnsNames(selection.Certificate).Select(n => n.TrimEnd('.'))
            .Where(n => !n.StartsWith('*') && !string.Equals(n, _fqdn, StringComparison.OrdinalIgnoreCase))];
        _peerNames = [.. _gatewayNames, .. _selfNames];
        // The server's own certificate is a trusted peer, so a loopback test call over mutual TLS works (as in Exchange).
        var trust = new TrustList([.. _store.LoadTrusted(), selection.Certificate], _store.LoadCrls());
        return TlsContext.Create(selection.Certificate, _store.LoadChain(selection.Certificate), trust, new PeerValidationOptions(),
            () => _peerNames, _time, selection);
    }

    /// <summary>Names and modification times of the store's files: cheap to compare, changes with any import or trust.</summary>
    private string StoreStamp() => string.Join('|', System.IO.Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal).Select(f => f + ":" + File.GetLastWriteTimeUtc(f).Ticks));

    private IEnumerable<System.Diagnostics.Metrics.Measurement<double>> CertificateExpiry()
    {
        if (_provider.TryGetCurrent()?.ServerCertificate is not { } certificate) return [];
        return [new((certificate.NotAfter.ToUniversalTime() - _time.GetUtcNow().UtcDateTime).TotalSeconds,
            new KeyValuePair<string, object?>("thumbprint", certificate.Thumbprint))];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _expiry.Dispose();
        _meter.Dispose();
    }
}
