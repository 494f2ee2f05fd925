using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>The TLS server certificate of a mail peer (Postfix, Dovecot), issued at test time by the test PKI.</summary>
internal static class ServerCertificate
{
    /// <summary>
    /// Writes server.key and server.crt (EC P-256, 30 days, serverAuth) into <paramref name="directory"/>, naming
    /// <paramref name="hostName"/>, localhost and 127.0.0.1, signed by <paramref name="ca"/> ("ca" for the root, else
    /// the name of one of the PKI's intermediates). A fresh random serial each time, so a re-issued certificate is new.
    /// </summary>
    public static async Task IssueAsync(TestPki pki, string ca, string directory, string hostName)
    {
        string caCrt = ca == "ca" ? pki.CaCrt : pki.Crt(ca);
        string caKey = ca == "ca" ? pki.CaKey : pki.Key(ca);
        string ext = Path.Combine(directory, "server.ext");
        await File.WriteAllTextAsync(ext, "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n" +
            $"extendedKeyUsage = serverAuth\nsubjectAltName = DNS:{hostName}, DNS:localhost, IP:127.0.0.1\n");
        string key = Path.Combine(directory, "server.key"), csr = Path.Combine(directory, "server.csr"), crt = Path.Combine(directory, "server.crt");
        foreach (var args in new[]
        {
            new[] { "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key },
            ["req", "-new", "-key", key, "-subj", $"/O=UM Test/CN={hostName}", "-out", csr],
            ["x509", "-req", "-in", csr, "-CA", caCrt, "-CAkey", caKey, "-set_serial", "0x" + Convert.ToHexString(Guid.NewGuid().ToByteArray()),
             "-days", "30", "-sha256", "-extfile", ext, "-out", crt],
        })
        {
            var r = await ChildProcess.RunAsync("openssl", args, TimeSpan.FromSeconds(60));
            Assert.True(r.ExitCode == 0, "openssl failed:\n" + r.Describe());
        }
    }
}
