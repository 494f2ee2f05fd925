using System.Security.Cryptography.X509Certificates;
using OpenUM.Directory;
using OpenUM.Security;
using OpenUM.Server.Control;

namespace OpenUM.Server.SecurityAudit;

/// <summary>
/// Everything the audit looks at, read once: the configuration, the certificate store, the data directory's
/// permissions and, when a server answered on its control socket, what it runs with. The CLI reads it from disk;
/// a caller inside the server (an admin API) can build it from what it already holds.
/// </summary>
public sealed record SecurityAuditInput
{
    /// <summary>The configuration in force.</summary>
    public required ConfigurationSnapshot Configuration { get; init; }

    /// <summary>The server's own certificates (with their keys when the store has them): what it may present.</summary>
    public IReadOnlyList<X509Certificate2> PersonalCertificates { get; init; } = [];

    /// <summary>The trusted roots and pinned peer certificates.</summary>
    public IReadOnlyList<X509Certificate2> TrustedCertificates { get; init; } = [];

    /// <summary>The CRLs of the trusted store.</summary>
    public IReadOnlyList<RevocationList> RevocationLists { get; init; } = [];

    /// <summary>The data directory's path.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Permissions of the data directory's files and of the password files the configuration names.</summary>
    public DataDirectoryScan Files { get; init; } = DataDirectoryScan.Empty;

    /// <summary>The name gateways reach this server by, which its certificate must carry (`serve --fqdn`).</summary>
    public required string ServerFqdn { get; init; }

    /// <summary>The UmServer object this data directory's server is (its bound certificate applies).</summary>
    public required string ServerName { get; init; }

    /// <summary>The running server's own account of its listeners; null when none answered.</summary>
    public ServerStatus? Running { get; init; }

    /// <summary>When the audit runs (expiry, CRL freshness).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>What could not be looked at, and why (reported beside the findings).</summary>
    public IReadOnlyList<string> NotChecked { get; init; } = [];

    /// <summary>Reads the input from <paramref name="data"/> and <paramref name="configuration"/>.</summary>
    public static SecurityAuditInput Read(ConfigurationSnapshot configuration, DataDirectory data, string serverFqdn, string serverName,
        ServerStatus? running, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(data);
        var notChecked = new List<string>();
        // Permissions first: opening the certificate store below tightens its directories, which would hide what was there.
        var passwordFiles = configuration.UmServers.SelectMany(s => new[] { s.SmartHostPasswordFile, s.ImapPasswordFile }).OfType<string>();
        var files = DataDirectoryScan.Read(data.Root, passwordFiles);
        if (files.Truncated)
            notChecked.Add($"permissions beyond the first {DataDirectoryScan.MaxEntries:N0} entries of {data.Root}");
        IReadOnlyList<X509Certificate2> personal = [], trusted = [];
        IReadOnlyList<RevocationList> crls = [];
        if (System.IO.Directory.Exists(data.Certificates))
        {
            var store = new CertificateStore(data.Certificates, time);
            personal = store.LoadPersonal();
            trusted = store.LoadTrusted();
            try
            {
                crls = store.LoadCrls();
            }
            catch (CertificateStoreException e)
            {
                notChecked.Add($"the CRLs of {store.CrlPath}: {e.Message}");
            }
        }
        if (running is null)
            notChecked.Add($"the running server's listeners (metrics endpoint, SIP over UDP): no server answered on {Path.Combine(data.Root, ControlProtocol.SocketName)}");
        return new SecurityAuditInput
        {
            Configuration = configuration,
            PersonalCertificates = personal,
            TrustedCertificates = trusted,
            RevocationLists = crls,
            DataDirectory = data.Root,
            Files = files,
            ServerFqdn = serverFqdn,
            ServerName = serverName,
            Running = running,
            Now = time.GetUtcNow(),
            NotChecked = notChecked,
        };
    }
}
