using System.CommandLine;
using OpenUM.Security;

namespace OpenUM.Management;

/// <summary>The TLS context of a CLI command that connects out as this server (its certificate, its trust list).</summary>
internal static class CliTls
{
    /// <summary>
    /// The client side of mutual TLS from the CLI (Test-UMConnectivity's local loop, Play on Phone to a gateway): present
    /// this server's certificate (or the one named), trust the store's roots and CRLs plus our own certificates; the name
    /// returned is <paramref name="serverName"/>, else our certificate's. <paramref name="certificateOption"/> is the
    /// command's option that names a certificate, if it has one (suggested when the store has none).
    /// </summary>
    public static (TlsContext Context, string ServerName) ClientContext(ParseResult result, string? thumbprint, string? serverName,
        string? certificateOption = null)
    {
        var data = CliContext.Data(result);
        var certificates = new CertificateStore(data.Certificates);
        string? bound = null;
        using (var config = CliContext.OpenExistingStore(result, data))
        {
            bound = config?.Load().FindUmServer(Environment.MachineName)?.CertificateThumbprint;
        }
        var personal = certificates.LoadPersonal();
        var chosen = thumbprint is not null
            ? certificates.FindPersonal(thumbprint) ?? throw new CliException($"no certificate with a private key has thumbprint {thumbprint} (see: openum cert list).")
            : CertificateSelector.Choose(personal, bound, DateTimeOffset.UtcNow)?.Certificate
              ?? throw new CliException("this data directory has no usable certificate; start the server once (it makes one) or import one (openum cert import)"
                + (certificateOption is null ? "." : $", or give {certificateOption}."));
        string name = serverName ?? CertificateFacts.DnsNames(chosen).FirstOrDefault() ?? CertificateFacts.CommonName(chosen)
            ?? throw new CliException("the certificate names no host; give --fqdn.");
        var trust = new TrustList([.. certificates.LoadTrusted(), .. personal], certificates.LoadCrls());
        var context = TlsContext.Create(chosen, certificates.LoadChain(chosen), trust, new PeerValidationOptions(), () => [name], TimeProvider.System);
        return (context, name);
    }
}
