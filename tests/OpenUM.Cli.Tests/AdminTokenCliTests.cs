using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace OpenUM.Cli.Tests;

/// <summary>`openum admin-token new|get|remove`: the token is shown once, only its hash is kept, owner-only.</summary>
public sealed class AdminTokenCliTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-token-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args) => OpenUmCli.Run(_data, args);

    private string TokenFile => Path.Combine(_data, "admin-tokens.json");

    [Fact]
    public void TheTokenIsPrintedOnceAndOnlyItsHashIsKeptOwnerOnly()
    {
        var made = Run("admin-token", "new", "--name", "ops", "--scope", "ReadOnly");
        Assert.True(made.Code == 0, made.Err);
        string token = made.Out.Trim();
        Assert.Matches("^oum_[A-Za-z0-9_-]{43}$", token); // 256 bits in base64url without padding

        string stored = File.ReadAllText(TokenFile);
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(token["oum_".Length..], stored, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), stored, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenFile));

        // Listing shows name, scope and creation, never the token or its hash; a second token is another token.
        var second = Run("admin-token", "new", "--name", "deploy", "--scope", "Admin");
        Assert.NotEqual(token, second.Out.Trim());
        var list = Run("admin-token", "get", "--json");
        Assert.True(list.Code == 0, list.Err);
        using var listed = JsonDocument.Parse(list.Out);
        Assert.Equal(["ops", "deploy"], listed.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("ReadOnly", listed.RootElement[0].GetProperty("scope").GetString());
        Assert.DoesNotContain("sha256", list.Out, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, list.Out, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenFile));
    }

    [Fact]
    public void ANameIsUniqueAndRemovedTokensAreGone()
    {
        Assert.Equal(0, Run("admin-token", "new", "--name", "ops", "--scope", "Admin").Code);
        var again = Run("admin-token", "new", "--name", "ops", "--scope", "Admin");
        Assert.Equal(2, again.Code);
        Assert.StartsWith("error: --name: there is already a credential named 'ops'", again.Err, StringComparison.Ordinal);

        Assert.Equal(0, Run("admin-token", "remove", "ops").Code);
        Assert.Equal("[]", Run("admin-token", "get", "--json").Out.Trim());
        var missing = Run("admin-token", "remove", "ops");
        Assert.Equal(2, missing.Code);
        Assert.Contains("there is no admin API token or certificate 'ops'", missing.Err, StringComparison.Ordinal);
        // Each is an event naming who did it, never the token.
        string events = File.ReadAllText(Path.Combine(_data, "events.jsonl"));
        Assert.Contains("\"id\":2365", events, StringComparison.Ordinal);
        Assert.Contains("\"id\":2366", events, StringComparison.Ordinal);
    }

    [Fact]
    public void AClientCertificateIsAddedByItsFingerprintWithItsScopeAndNoKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=alice.example.test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string pem = Path.Combine(_data, "alice.pem"), der = Path.Combine(_data, "alice.der");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        File.WriteAllBytes(der, certificate.RawData);

        var added = Run("admin-token", "new", "--name", "alice", "--scope", "ReadOnly", "--certificate", pem);
        Assert.True(added.Code == 0, added.Err);
        string fingerprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        Assert.Contains(fingerprint, added.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("oum_", added.Out, StringComparison.Ordinal);   // no token is made
        // The same certificate (here as DER) cannot be a second credential.
        var twice = Run("admin-token", "new", "--name", "alice2", "--scope", "Admin", "--certificate", der);
        Assert.Equal(2, twice.Code);
        Assert.Contains("--certificate: this certificate is already the credential 'alice'", twice.Err, StringComparison.Ordinal);

        var list = Run("admin-token", "get");
        Assert.Contains("certificate CN=alice.example.test (SHA-256 " + fingerprint + ")", list.Out, StringComparison.Ordinal);
        Assert.Contains("ReadOnly", list.Out, StringComparison.Ordinal);
        string events = File.ReadAllText(Path.Combine(_data, "events.jsonl"));
        Assert.Contains("\"id\":2365", events, StringComparison.Ordinal);
        Assert.Contains(fingerprint, events, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotACertificateIsRefusedNamingTheOption()
    {
        string file = Path.Combine(_data, "notes.txt");
        File.WriteAllText(file, "not a certificate");

        var refused = Run("admin-token", "new", "--name", "alice", "--scope", "Admin", "--certificate", file);

        Assert.Equal(2, refused.Code);
        Assert.StartsWith("error: --certificate: ", refused.Err, StringComparison.Ordinal);
        Assert.Contains("is not a PEM or DER X.509 certificate", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(TokenFile));
    }
}
