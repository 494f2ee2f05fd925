using System.Xml.Linq;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// One secured server (TLS only) shared by the admission matrix. Each probe comes from its own loopback address
/// (LoopbackRelay) and the matrix is about what the certificate decides, so the server gives a handshake to any
/// address; refusal by address before the handshake is Hostile/TlsAdmissionByAddressTests.
/// </summary>
public sealed class TlsAdmissionFixture : IAsyncLifetime
{
    /// <summary>The server.</summary>
    public TlsUmServer Server { get; private set; } = null!;

    /// <summary>Configures and starts the server.</summary>
    public async Task InitializeAsync()
    {
        Server = await TlsUmServer.CreateAsync(null);
        await Server.ConfigureSecuredAsync();
        await Server.Um.CliOkAsync("server", "set", "--allow-tls-from-any-address", "true");
        await Server.StartAsync("TLS");
    }

    /// <summary>Stops the server.</summary>
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// TLS-1/TLS-2/TLS-3 with openssl s_client and sslscan: every bad client certificate and every old
/// protocol is refused (no SIP answer) with event 1426 (the precise reason and the certificate's details)
/// or 1113; the gateway's certificate gets 200 to OPTIONS; only TLS 1.2/1.3 with ECDHE + AEAD suites.
/// </summary>
public sealed class TlsAdmissionTests(TlsAdmissionFixture fixture, ITestOutputHelper output) : IClassFixture<TlsAdmissionFixture>
{
    private static readonly TimeSpan EventGuard = TimeSpan.FromSeconds(30);
    private TlsUmServer Server => fixture.Server;

    [Fact]
    public async Task GatewayCertificateGets200ToOptions()
    {
        int before = Server.Um.ReadEvents().Count;
        var (probe, _) = await ProbeAsync(Server.Pki.Crt("gw1"), Server.Pki.Key("gw1"), null);
        Assert.True(probe.Got200, "gw1's certificate did not get 200 to OPTIONS\n" + probe.Describe() + "\n" + Server.Diagnostics);
        Assert.True(probe.ServerCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false) == TestPki.UmName,
            "the server did not present um.example.test\n" + probe.Describe());
        Assert.Empty(Server.EventsSince(before, 1426));
    }

    [Theory]
    [InlineData(null, "NoCertificate")]
    [InlineData("expired", "Expired")]
    [InlineData("notyetvalid", "NotYetValid")]
    [InlineData("untrusted-gw1", "UntrustedRoot")]
    [InlineData("selfsigned", "UntrustedRoot")]
    [InlineData("revoked", "Revoked")]
    [InlineData("wrongname", "NameNotAGateway")]
    [InlineData("serveronly", "WrongEku")]
    public async Task BadClientCertificateRefused(string? certificate, string reason)
    {
        var pki = Server.Pki;
        int before = Server.Um.ReadEvents().Count;
        var (probe, source) = await ProbeAsync(certificate is null ? null : pki.Crt(certificate), certificate is null ? null : pki.Key(certificate), null);
        Assert.True(probe.SipStatusLine is null, $"{certificate ?? "no certificate"}: the server answered SIP\n{probe.Describe()}");
        Assert.False(probe.ServerVerifyFailed, "the server certificate did not verify (the refusal must come from the server)\n" + probe.Describe());

        var ev = await Server.WaitForEventSinceAsync(before, 1426, e => string.Equals(e.Property("reason"), reason, StringComparison.OrdinalIgnoreCase)
            && FromSource(e, source),
            EventGuard, $"{certificate ?? "no certificate"} should be refused as {reason}; probe: {probe.Describe()}");
        output.WriteLine(ev.Raw);
        var others = Server.EventsSince(before, 1426).Where(e => FromSource(e, source)
            && !string.Equals(e.Property("reason"), reason, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(others.Count == 0, $"other 1426 reasons for {certificate}: {string.Join('\n', others.Select(e => e.Raw))}");
        if (certificate is null)
            return;
        using var cert = pki.Load(certificate);
        Assert.True(Hex(ev.Property("serialNumber")) == Hex(cert.SerialNumber), $"1426 serialNumber, expected {cert.SerialNumber}: {ev.Raw}");
        Assert.True(Hex(ev.Property("thumbprint")) == Hex(cert.Thumbprint), $"1426 thumbprint, expected {cert.Thumbprint}: {ev.Raw}");
        Assert.True(ev.Property("subject").Contains(cert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false), StringComparison.OrdinalIgnoreCase),
            $"1426 subject, expected {cert.Subject}: {ev.Raw}");
        Assert.True(ev.Property("issuer").Contains(cert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, true), StringComparison.OrdinalIgnoreCase),
            $"1426 issuer, expected {cert.Issuer}: {ev.Raw}");
    }

    [Theory]
    [InlineData("-tls1_1")]
    [InlineData("-tls1")]
    public async Task OldProtocolRefused(string protocol)
    {
        int before = Server.Um.ReadEvents().Count;
        // OpenSSL 3 only sends a TLS 1.0/1.1 ClientHello at security level 0.
        var (probe, source) = await ProbeAsync(Server.Pki.Crt("gw1"), Server.Pki.Key("gw1"), [protocol, "-cipher", "DEFAULT@SECLEVEL=0"]);
        Assert.True(probe.SipStatusLine is null, $"{protocol}: the server answered SIP\n{probe.Describe()}");
        Assert.True(probe.ServerCertificate is null, $"{protocol}: a handshake completed\n{probe.Describe()}");
        var ev = await Server.WaitForEventSinceAsync(before, 1113, e => FromSource(e, source), EventGuard, $"{protocol} offered; probe: {probe.Describe()}");
        output.WriteLine(ev.Raw);
    }

    /// <summary>The event names the probe's own source address (each probe connects from its own 127.0.0.N).</summary>
    private static bool FromSource(ServerEvent e, string source) => e.Property("remoteAddress") == source;

    [Fact]
    public async Task SslscanShowsOnlyTls12And13WithEcdheAead()
    {
        string sslscan = Peers.Require("sslscan", "sslscan");
        var pki = Server.Pki;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-sslscan-").FullName;
        try
        {
            string xml = Path.Combine(work, "scan.xml");
            var run = await ChildProcess.RunAsync(sslscan,
                ["--no-colour", $"--sni-name={TestPki.UmName}", $"--certs={pki.Crt("gw1")}", $"--pk={pki.Key("gw1")}", $"--xml={xml}",
                 $"127.0.0.1:{Server.TlsPort}"], TimeSpan.FromSeconds(120), work);
            output.WriteLine(run.Describe());
            Assert.True(!run.HungAndKilled && File.Exists(xml), "sslscan produced no XML\n" + run.Describe());
            var doc = XDocument.Load(xml);
            var enabled = doc.Descendants("protocol").Where(p => (string?)p.Attribute("enabled") == "1")
                .Select(p => $"{p.Attribute("type")?.Value}{p.Attribute("version")?.Value}").ToList();
            var ciphers = doc.Descendants("cipher").Where(c => (string?)c.Attribute("status") is "accepted" or "preferred")
                .Select(c => (Version: c.Attribute("sslversion")?.Value ?? "", Name: c.Attribute("cipher")?.Value ?? "")).ToList();
            string what = $"protocols enabled [{string.Join(' ', enabled)}]; ciphers accepted [{string.Join(", ", ciphers.Select(c => c.Version + " " + c.Name))}]\n{run.StdOut}";
            Assert.True(enabled.All(p => p is "tls1.2" or "tls1.3") && enabled.Count > 0, "protocols other than TLS 1.2/1.3: " + what);
            Assert.True(ciphers.Count > 0, "sslscan saw no accepted cipher suite (did the client certificate get through?): " + what);
            Assert.True(ciphers.All(c => c.Version is "TLSv1.2" or "TLSv1.3"), "suites of other protocol versions: " + what);
            var weak = ciphers.Where(c => !StrongSuite(c.Version, c.Name)).ToList();
            Assert.True(weak.Count == 0, $"non-ECDHE or non-AEAD suites accepted: {string.Join(", ", weak.Select(c => c.Name))}; " + what);
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // Each probe comes from its own 127.0.0.N (see LoopbackRelay): per-address event throttling cannot mask it.
    private async Task<(ProbeResult Probe, string Source)> ProbeAsync(string? cert, string? key, string[]? extra)
    {
        await using var relay = new LoopbackRelay(Server.TlsPort);
        var probe = await OpenSslProbe.OptionsAsync(relay.Port, Server.Pki, cert, key, extra, log: output);
        output.WriteLine($"probe came from {relay.Source}");
        return (probe, relay.Source.ToString());
    }

    // TLS 1.3 suites are all AEAD with (EC)DHE; TLS 1.2 must be ECDHE with GCM or ChaCha20-Poly1305.
    private static bool StrongSuite(string version, string name) => version == "TLSv1.3"
        ? name.StartsWith("TLS_", StringComparison.Ordinal)
        : name.StartsWith("ECDHE-", StringComparison.Ordinal) && (name.Contains("-GCM-", StringComparison.Ordinal) || name.EndsWith("CHACHA20-POLY1305", StringComparison.Ordinal));

    private static string Hex(string s) => s.Replace(":", "").Replace(" ", "").TrimStart('0').ToUpperInvariant();
}
