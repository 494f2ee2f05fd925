using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.Cli.Tests;

/// <summary>`openum cert new-request --out -`: the request alone on standard output, its key pending in the store, event 2160.</summary>
[Collection(nameof(InProcessCliCollection))]
public sealed class CertRequestCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-csr-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.Run(_data, args);

    private string[] PendingKeys() => System.IO.Directory.Exists(Path.Combine(_data, "certificates", "pending"))
        ? System.IO.Directory.GetFiles(Path.Combine(_data, "certificates", "pending"), "*.key.pem") : [];

    [Fact]
    public void OutDashWritesOnlyThePemRequestToStandardOutputAndKeepsTheKeyPending()
    {
        var (code, output, err) = Run("cert", "new-request", "--subject", "um.contoso.example", "--dns", "sip.contoso.example", "--out", "-");

        Assert.True(code == 0, err);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----\n", output, StringComparison.Ordinal);
        Assert.EndsWith("-----END CERTIFICATE REQUEST-----\n", output, StringComparison.Ordinal);
        var request = CertificateRequest.LoadSigningRequestPem(output, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("CN=um.contoso.example", request.SubjectName.Name);
        Assert.Equal(["um.contoso.example", "sip.contoso.example"],
            request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Contains("openum cert import FILE", err, StringComparison.Ordinal); // the next step, on standard error
        Assert.False(File.Exists(Path.Combine(_data, "-")));
        Assert.Single(PendingKeys());
        string events = File.ReadAllText(Path.Combine(_data, "events.jsonl"));
        Assert.Contains("\"id\":2160", events, StringComparison.Ordinal);
        Assert.Contains("CN=um.contoso.example", events, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", events, StringComparison.Ordinal);
    }

    [Fact]
    public void DerToStandardOutputIsRefusedBeforeAKeyIsMade()
    {
        var (code, output, err) = Run("cert", "new-request", "--subject", "um.contoso.example", "--out", "-", "--der");

        Assert.Equal(2, code);
        Assert.StartsWith("error: --der: ", err, StringComparison.Ordinal);
        Assert.Equal("", output);
        Assert.Empty(PendingKeys());
    }

    [Fact]
    public void AFileStillGetsTheRequestAndTheSentence()
    {
        string file = Path.Combine(_data, "um.csr");
        var (code, output, err) = Run("cert", "new-request", "--subject", "um.contoso.example", "--out", file);

        Assert.True(code == 0, err);
        Assert.StartsWith($"Request written to {file}; import the CA's answer with: openum cert import FILE", output, StringComparison.Ordinal);
        Assert.Equal("CN=um.contoso.example", CertificateRequest.LoadSigningRequestPem(File.ReadAllText(file), HashAlgorithmName.SHA256).SubjectName.Name);
    }
}
