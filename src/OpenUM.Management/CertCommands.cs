using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;
using OpenUM.Security;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>
/// `openum cert ...`: New-/Import-/Export-/Enable-/Get-/Remove-ExchangeCertificate, and the UM trusted
/// store (roots, peer certificates, CRLs). Every certificate decision is OpenUM.Security's; this only
/// turns options into calls and results into output.
/// </summary>
internal static class CertCommands
{
    private static readonly Option<string> Subject = new("--subject") { Description = "Subject common name, e.g. um.contoso.example", Required = true };
    private static readonly Option<string[]> Dns = new("--dns") { Description = "DNS name for the subjectAltName (repeat for several; default: the subject)" };
    private static readonly Option<string> Key = new("--key")
    {
        Description = "Key type: ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096", DefaultValueFactory = _ => "ecdsa-p256",
    };

    public static Command Create() => new("cert", "Manage the server's certificates and the trusted store.")
    {
        NewSelfSigned(), NewRequest(), Import(), Export(), Trust(), Untrust(), List(), Enable(), Remove(),
    };

    private static Command NewSelfSigned()
    {
        var days = new Option<int>("--days") { Description = "Validity in days (default 1825)", DefaultValueFactory = _ => CertificateStore.DefaultValidityDays };
        var exportable = new Option<bool>("--exportable") { Description = "Allow the private key to be exported later" };
        var command = new Command("new-selfsigned", "Create a self-signed certificate (EKU serverAuth and clientAuth).\n" +
            "Example: openum cert new-selfsigned --subject um.contoso.example --dns um.contoso.example") { Subject, Dns, Key, days, exportable };
        command.SetAction(result => Run(result, (store, config) =>
        {
            var cert = Blame(result, () => store.NewSelfSigned(result.GetValue(Subject)!, Names(result), KeyKind(result), result.GetValue(days), result.GetValue(exportable)));
            Print(result, store, config, cert.Thumbprint);
            return 0;
        }));
        return command;
    }

    private static Command NewRequest()
    {
        var output = new Option<string>("--out") { Description = "File to write the request to; - for standard output (PEM)", Required = true };
        var der = new Option<bool>("--der") { Description = "Write DER instead of PEM (to a file only)" };
        var exportable = new Option<bool>("--exportable") { Description = "Allow the private key to be exported later" };
        var command = new Command("new-request", "Create a PKCS#10 certificate request; the key waits in the store for the CA's answer (cert import).\n" +
            "Example: openum cert new-request --subject um.contoso.example --out um.csr") { Subject, Dns, Key, output, der, exportable };
        command.SetAction(result => Run(result, (store, _) =>
        {
            string path = result.GetValue(output)!;
            bool standardOutput = path == "-";
            // Refused before a key is made: a terminal or a pipe to a CA's web form wants text.
            if (standardOutput && result.GetValue(der)) throw new CliException("--der: DER is binary; write it to a file (--out FILE). Standard output takes PEM.");
            var request = Blame(result, () => store.NewRequest(result.GetValue(Subject)!, Names(result), KeyKind(result), result.GetValue(exportable)));
            LogRequest(CliContext.Data(result), request, result.GetValue(Key)!);
            const string next = "import the CA's answer with: openum cert import FILE";
            if (standardOutput)
            {
                // Standard output is the request alone, so `> um.csr` or the admin API gets nothing else.
                CommandConsole.Out.Write(request.Pem + "\n");
                CommandConsole.Error.WriteLine($"The key waits in the store; {next}");
                return 0;
            }
            byte[] bytes = result.GetValue(der) ? request.Der : Encoding.ASCII.GetBytes(request.Pem + "\n");
            WriteFile(path, "--out", stream => stream.Write(bytes));
            CommandConsole.Out.WriteLine($"Request written to {path}; {next}");
            return 0;
        }));
        return command;
    }

    // Event 2160: a new key exists, whoever asked (the CLI's account or the admin API's client); the subject and names as the request has them.
    private static void LogRequest(DataDirectory data, CertificateSigningRequest request, string keyKind)
    {
        var parsed = System.Security.Cryptography.X509Certificates.CertificateRequest.LoadSigningRequest(request.Der,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.X509Certificates.CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var names = parsed.CertificateExtensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>()
            .SelectMany(e => e.EnumerateDnsNames());
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(data);
        CertEvents.RequestCreated(events.CreateLogger("OpenUM.Cli"), CommandConsole.Actor, parsed.SubjectName.Name, string.Join(", ", names), keyKind, request.PendingId);
    }

    private static Command Import()
    {
        var file = new Argument<string>("file") { Description = "PFX/PKCS#12, PEM certificate (with --key), or the CA's answer to a request" };
        var key = new Option<string?>("--key") { Description = "PEM private key file for a PEM certificate" };
        var passwordFile = new Option<string?>("--password-file") { Description = "File holding the PFX (or key) password" };
        var exportable = new Option<bool>("--exportable") { Description = "Allow the private key to be exported later" };
        var command = new Command("import", "Import a certificate with its key (PFX or PEM), or a CA's answer to `cert new-request`.\n" +
            "Example: openum cert import um.pfx --password-file pw.txt") { file, key, passwordFile, exportable };
        command.SetAction(result => Run(result, (store, config) =>
        {
            string path = result.GetValue(file)!;
            byte[] data = ReadFile(path, "<file>");
            string? password = Password(result.GetValue(passwordFile));
            System.Security.Cryptography.X509Certificates.X509Certificate2 cert;
            if (result.GetValue(key) is { } keyPath)
                cert = store.ImportPem(Encoding.ASCII.GetString(data), Encoding.ASCII.GetString(ReadFile(keyPath, "--key")), password, result.GetValue(exportable));
            else if (LooksLikePfx(path, data))
                cert = store.ImportPfx(data, password, result.GetValue(exportable));
            else
                cert = store.Import(data);
            Print(result, store, config, cert.Thumbprint);
            return 0;
        }));
        return command;
    }

    private static Command Export()
    {
        var thumbprint = new Argument<string>("thumbprint");
        var output = new Option<string>("--out") { Description = "File to write", Required = true };
        var format = new Option<string>("--format") { Description = "pfx (with key), pem (certificate and key), cert (certificate only, PEM)", DefaultValueFactory = _ => "pfx" };
        var passwordFile = new Option<string?>("--password-file") { Description = "File holding the password protecting the PFX or key" };
        var command = new Command("export", "Export a certificate (and its key, when it was created or imported as exportable).\n" +
            "Example: openum cert export <thumbprint> --out um.crt") { thumbprint, output, format, passwordFile };
        command.SetAction(result => Run(result, (store, _) =>
        {
            var kind = result.GetValue(format) switch
            {
                "pfx" => CertificateExportFormat.Pfx,
                "pem" => CertificateExportFormat.Pem,
                "cert" => CertificateExportFormat.CertificatePem,
                var other => throw new CliException($"--format: '{other}' is not pfx, pem or cert."),
            };
            string? password = Password(result.GetValue(passwordFile));
            var bytes = store.Export(result.GetValue(thumbprint)!, kind, password);
            WriteFile(result.GetValue(output)!, "--out", stream => stream.Write(bytes));
            CommandConsole.Out.WriteLine($"Written to {result.GetValue(output)}.");
            return 0;
        }));
        return command;
    }

    private static Command Trust()
    {
        var file = new Argument<string>("file") { Description = "Root CA or peer self-signed certificate (PEM/DER), or a CRL with --crl" };
        var crl = new Option<bool>("--crl") { Description = "The file is a certificate revocation list" };
        var command = new Command("trust", "Add a root CA or a peer's self-signed certificate to the UM trusted store, or a CRL.\n" +
            "Example: openum cert trust contoso-root.crt") { file, crl };
        command.SetAction(result => Run(result, (store, _) =>
        {
            byte[] data = ReadFile(result.GetValue(file)!, "<file>");
            if (result.GetValue(crl))
            {
                var list = store.AddCrl(data);
                CommandConsole.Out.WriteLine($"CRL of {list.Issuer.Name} added ({list.Count} revoked serials).");
                return 0;
            }
            foreach (var cert in store.Trust(data)) CommandConsole.Out.WriteLine($"Trusted {cert.Subject} ({cert.Thumbprint}).");
            return 0;
        }));
        return command;
    }

    private static Command Untrust()
    {
        var thumbprint = new Argument<string>("thumbprint");
        var command = new Command("untrust", "Remove a certificate from the trusted store.\nExample: openum cert untrust <thumbprint>") { thumbprint };
        command.SetAction(result => Run(result, (store, _) =>
        {
            if (!store.Untrust(result.GetValue(thumbprint)!)) throw new CliException($"no trusted certificate {result.GetValue(thumbprint)} (see: openum cert list).");
            CommandConsole.Out.WriteLine("Removed from the trusted store.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Show the certificates: personal (with keys) and trusted.\nExample: openum cert list --json");
        command.SetAction(result => Run(result, (store, config) =>
        {
            CliContext.Print(result, Rows(store, config).ToList(), Columns);
            return 0;
        }));
        return command;
    }

    private static Command Enable()
    {
        var thumbprint = new Argument<string>("thumbprint");
        var server = new Option<string>("--server") { Description = "UM server name (default: this host)", DefaultValueFactory = _ => Environment.MachineName };
        var command = new Command("enable", "Bind a certificate to the UM service (Enable-ExchangeCertificate -Services UM); new TLS connections use it at once.\n" +
            "Example: openum cert enable <thumbprint>") { thumbprint, server };
        command.SetAction(result => Run(result, (store, config) =>
        {
            var cert = store.FindPersonal(result.GetValue(thumbprint)!)
                ?? throw new CliException($"no certificate with a private key has thumbprint {result.GetValue(thumbprint)} (see: openum cert list).");
            var check = store.Bindable(cert);
            if (!check.Ok) throw new CliException($"certificate {cert.Thumbprint} cannot be bound: {check.Describe()}.");
            var um = DemoConfiguration.EnsureServer(config, result.GetValue(server)!);
            CliContext.Audit(CliContext.Data(result), config.UpdateUmServer(um with { CertificateThumbprint = cert.Thumbprint }));
            CommandConsole.Out.WriteLine($"Certificate {cert.Thumbprint} ({cert.Subject}) is bound to the UM service.");
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var thumbprint = new Argument<string>("thumbprint");
        var command = new Command("remove", "Remove a certificate (and its key) from the store.\nExample: openum cert remove <thumbprint>") { thumbprint };
        command.SetAction(result => Run(result, (store, config) =>
        {
            string tp = result.GetValue(thumbprint)!;
            var cert = store.FindPersonal(tp);
            if (cert is not null && config.Load().UmServers.Any(s => s.CertificateThumbprint is { } b && CertificateFacts.Matches(cert, b)))
                throw new CliException($"certificate {tp} is bound to the UM service: enable another one first.");
            if (!store.Remove(tp)) throw new CliException($"no certificate {tp} (see: openum cert list).");
            CommandConsole.Out.WriteLine("Removed.");
            return 0;
        }));
        return command;
    }

    /// <summary>A row of `cert list`: the store's facts plus whether the UM service uses it.</summary>
    private sealed record CertificateRow(string Store, string Thumbprint, string Sha256Thumbprint, string Subject, string Issuer,
        string SerialNumber, IReadOnlyList<string> DnsNames, DateTimeOffset NotBefore, DateTimeOffset NotAfter, int DaysLeft,
        bool IsSelfSigned, bool HasPrivateKey, bool InUse)
    {
        public CertificateRow(CertificateInfo c, bool inUse) : this(c.Location == CertificateLocation.Personal ? "personal" : "trusted",
            c.Thumbprint, c.Sha256Thumbprint, c.Subject, c.Issuer, c.SerialNumber, c.DnsNames, c.NotBefore, c.NotAfter, c.DaysLeft,
            c.IsSelfSigned, c.HasPrivateKey, inUse) { }
    }

    /// <summary>The certificate the server would present now (CERT-3), without generating one.</summary>
    private static string? CurrentThumbprint(CertificateStore store, IConfigurationStore config)
    {
        string? bound = config.Load().FindUmServer(Environment.MachineName)?.CertificateThumbprint;
        return CertificateSelector.Choose(store.LoadPersonal(), bound, DateTimeOffset.UtcNow)?.Certificate.Thumbprint;
    }

    private static int Run(ParseResult result, Func<CertificateStore, IConfigurationStore, int> body) =>
        CliContext.Run(result, (config, data) =>
        {
            try
            {
                return body(new CertificateStore(data.Certificates), config);
            }
            catch (CertificateStoreException e)
            {
                throw new CliException(e.Message);
            }
        });

    // `cert list`'s columns: a certificate just created or imported is shown as `cert list` shows it.
    private static readonly (string Header, Func<CertificateRow, object?> Value)[] Columns =
    [
        ("Store", r => r.Store), ("Thumbprint", r => r.Thumbprint), ("Subject", r => r.Subject), ("NotAfter", r => r.NotAfter.ToString("yyyy-MM-dd")),
        ("DaysLeft", r => r.DaysLeft), ("SelfSigned", r => r.IsSelfSigned), ("InUse", r => r.InUse ? "yes" : ""),
    ];

    private static IEnumerable<CertificateRow> Rows(CertificateStore store, IConfigurationStore config)
    {
        string? inUse = CurrentThumbprint(store, config);
        return store.List().Select(c => new CertificateRow(c, string.Equals(c.Thumbprint, inUse, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The personal certificate <paramref name="thumbprint"/> as `cert list` shows it (JSON: the same object as its entry there).</summary>
    private static void Print(ParseResult result, CertificateStore store, IConfigurationStore config, string thumbprint)
    {
        var row = Rows(store, config).First(r => r.Store == "personal" && r.Thumbprint == thumbprint);
        if (result.GetValue(CliContext.JsonOption)) CliContext.PrintOne(result, row);
        else CliContext.Print(result, [row], Columns);
    }

    // The store says which value it refused ('name'); the error names the option that value came from.
    private static T Blame<T>(ParseResult result, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (CertificateStoreException e)
        {
            string? option = (result.GetValue(Dns) ?? []).Any(n => e.Message.Contains($"'{n}'", StringComparison.Ordinal)) ? "--dns"
                : e.Message.Contains($"'{result.GetValue(Subject)}'", StringComparison.Ordinal) ? "--subject"
                : e.Message.Contains("day", StringComparison.OrdinalIgnoreCase) ? "--days" : null;
            throw new CliException(option is null ? e.Message : $"{option}: {e.Message}");
        }
    }

    private static IEnumerable<string>? Names(ParseResult result) => result.GetValue(Dns) is { Length: > 0 } names ? names : null;

    private static CertificateKeyKind KeyKind(ParseResult result) =>
        CertificateKeyKinds.TryParse(result.GetValue(Key), out var kind) ? kind
            : throw new CliException($"--key: '{result.GetValue(Key)}' is not one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096.");

    private static byte[] ReadFile(string path, string option)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { throw new CliException($"{option}: cannot read '{path}': {e.Message}"); }
    }

    private static string? Password(string? file) =>
        file is null ? null : Encoding.UTF8.GetString(ReadFile(file, "--password-file")).TrimEnd('\r', '\n');

    // Owner-only from the start: an exported key or a request is nobody else's business.
    private static void WriteFile(string path, string option, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            write(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { throw new CliException($"{option}: cannot write '{path}': {e.Message}"); }
    }

    private static bool LooksLikePfx(string path, byte[] data) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase)
        || (data.Length > 0 && data[0] == 0x30 && !Encoding.ASCII.GetString(data, 0, Math.Min(data.Length, 64)).Contains("-----", StringComparison.Ordinal)
            && TryPkcs12(data));

    private static bool TryPkcs12(byte[] data)
    {
        try { return System.Security.Cryptography.X509Certificates.X509Certificate2.GetCertContentType(data) == System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12; }
        catch (System.Security.Cryptography.CryptographicException) { return false; }
    }
}

/// <summary>Events of `openum cert` (docs/events.md).</summary>
internal static partial class CertEvents
{
    [LoggerMessage(EventId = 2160, EventName = "CertificateRequestCreated", Level = LogLevel.Information,
        Message = "{User} created certificate request {Subject} (DNS names {DnsNames}, key {KeyKind}); its private key {PendingId} waits in the store for `openum cert import`")]
    public static partial void RequestCreated(ILogger logger, string user, string subject, string dnsNames, string keyKind, string pendingId);
}
