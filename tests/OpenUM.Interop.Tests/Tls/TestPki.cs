using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// The test PKI made by the project's own scripts/make-test-pki.sh (openssl) once per test run, in a
/// temp directory removed at exit. Names: see the script's header.
/// </summary>
/// <remarks>
/// Unit tests make their certificates in process (OpenUM.TestSupport's TestPki and TestCa); this one stays on
/// openssl on purpose: the peers here (Postfix, stunnel, baresip, openssl s_client, Kamailio) read PEM
/// certificate, key and CRL files, tests sign CSRs with <c>openssl x509 -req</c> using <see cref="CaKey"/>, the
/// shell-only benchmarks (bench/sipp/tls-side-by-side.sh, bench/flood/run.sh) use the same script and file names,
/// and certificates from an implementation other than .NET show that OpenUM accepts what other CAs issue.
/// </remarks>
public sealed class TestPki
{
    /// <summary>The server's name: in um.crt, served as SNI, and given to <c>serve --fqdn</c>.</summary>
    public const string UmName = "um.example.test";

    /// <summary>The gateway's name: in gw1.crt and the gateway's address.</summary>
    public const string GatewayName = "gw1.example.test";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestPki? _instance;

    private TestPki(string dir) => Dir = dir;

    /// <summary>Directory holding the PKI files.</summary>
    public string Dir { get; }

    /// <summary>Path of NAME.crt.</summary>
    public string Crt(string name) => Path.Combine(Dir, name + ".crt");

    /// <summary>Path of NAME.key.</summary>
    public string Key(string name) => Path.Combine(Dir, name + ".key");

    /// <summary>Path of NAME.pem (certificate + key).</summary>
    public string Pem(string name) => Path.Combine(Dir, name + ".pem");

    /// <summary>The root CA certificate.</summary>
    public string CaCrt => Crt("ca");

    /// <summary>The root CA's private key (to sign CSRs in tests).</summary>
    public string CaKey => Key("ca");

    /// <summary>The CA's CRL (lists revoked.crt).</summary>
    public string CaCrl => Path.Combine(Dir, "ca.crl");

    /// <summary>The certificate NAME.crt, parsed.</summary>
    public X509Certificate2 Load(string name) => X509CertificateLoader.LoadCertificateFromFile(Crt(name));

    /// <summary>The PKI of this test run (generated on first use).</summary>
    public static async Task<TestPki> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is not null)
                return _instance;
            Peers.Require("openssl", "openssl");
            RemoveStale();
            string dir = System.IO.Directory.CreateTempSubdirectory("openum-pki-").FullName;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") == "1") return;
                try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { }
            };
            string script = RepoFile("scripts/make-test-pki.sh");
            var result = await ChildProcess.RunAsync("bash", [script, dir], TimeSpan.FromSeconds(120));
            Assert.True(result.ExitCode == 0 && !result.HungAndKilled, "scripts/make-test-pki.sh failed:\n" + result.Describe());
            _instance = new TestPki(dir);
            return _instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    // PKIs of earlier runs whose exit handler did not get to run (a killed test host): gone after 6 hours.
    private static void RemoveStale()
    {
        foreach (string old in System.IO.Directory.GetDirectories(Path.GetTempPath(), "openum-pki-*"))
        {
            try
            {
                if (System.IO.Directory.GetLastWriteTimeUtc(old) < DateTime.UtcNow.AddHours(-6))
                    System.IO.Directory.Delete(old, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// A file of this repository (tests run from the clone they were built from): found from this source
    /// file's location, else by walking up from the output and working directories.
    /// </summary>
    public static string RepoFile(string relative)
    {
        foreach (string start in new[] { SourceDir(), AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new InvalidOperationException($"{relative} not found above {SourceDir()} or {AppContext.BaseDirectory}");
    }

    private static string SourceDir([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? "/";
}
