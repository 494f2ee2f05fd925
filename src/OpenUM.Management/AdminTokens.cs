using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenUM.Management;

/// <summary>What an admin API token may do.</summary>
internal enum AdminScope
{
    /// <summary>Reads: lists, objects, status, calls, the outbox and the security audit.</summary>
    ReadOnly,
    /// <summary>Reads and changes.</summary>
    Admin,
}

/// <summary>
/// One admin API credential as stored: its name, scope and creation time, and either the SHA-256 of a bearer token (never
/// the token) or, for a client certificate, the SHA-256 fingerprint of that certificate and its subject.
/// </summary>
internal sealed record AdminToken(string Name, AdminScope Scope, DateTimeOffset Created, string Sha256,
    string? Certificate = null, string? CertificateSubject = null)
{
    /// <summary>What <c>admin-token get</c> shows as the credential: "token", or "certificate SUBJECT (SHA-256 ...)".</summary>
    public string Credential => Certificate is null ? "token" : $"certificate {CertificateSubject} (SHA-256 {Certificate})";
}

/// <summary>
/// The admin API's credentials, in &lt;data-dir&gt;/admin-tokens.json (owner-only, replaced whole by a rename). A token is
/// "oum_" and 256 random bits in base64url; only its SHA-256 is kept, so the file gives no usable credential, and the
/// token is shown once, when it is made. A client certificate is a credential only once it is added here by name with a
/// scope: the UM trusted store also holds the CAs of gateways and phones, and a certificate they issued must not be an
/// administrator because the handshake accepts it. Kept in the data directory rather than the configuration store: like the
/// server's private key it is a credential of this server's endpoint, not configuration shared with other servers.
/// </summary>
internal sealed class AdminTokens(string dataDirectory)
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "admin-tokens.json";

    /// <summary>What every token starts with: recognisable in a leaked log or a secret scanner.</summary>
    public const string Prefix = "oum_";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The file's path.</summary>
    public string Path { get; } = System.IO.Path.Combine(dataDirectory, FileName);

    /// <summary>The stored tokens (none when the file does not exist).</summary>
    public IReadOnlyList<AdminToken> List()
    {
        if (!File.Exists(Path)) return [];
        return JsonSerializer.Deserialize<List<AdminToken>>(File.ReadAllBytes(Path), Json) ?? [];
    }

    /// <summary>Makes a token named <paramref name="name"/>; returns the token itself, which is not kept.</summary>
    public string Create(string name, AdminScope scope, DateTimeOffset now)
    {
        var tokens = ListForNew(name);
        string token = Prefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        tokens.Add(new AdminToken(name, scope, now, Hash(token)));
        Save(tokens);
        return token;
    }

    /// <summary>Adds the client certificate <paramref name="certificate"/> as the credential named <paramref name="name"/>.</summary>
    public void AddCertificate(string name, AdminScope scope, X509Certificate2 certificate, DateTimeOffset now)
    {
        var tokens = ListForNew(name);
        string fingerprint = Fingerprint(certificate);
        if (tokens.FirstOrDefault(t => t.Certificate == fingerprint) is { } same)
            throw new CliException($"--certificate: this certificate is already the credential '{same.Name}' (remove it first: openum admin-token remove {same.Name}).");
        tokens.Add(new AdminToken(name, scope, now, "", fingerprint, certificate.Subject));
        Save(tokens);
    }

    // The credentials, when none is named <paramref name="name"/> yet: names are unique, whatever their case.
    private List<AdminToken> ListForNew(string name)
    {
        var tokens = List().ToList();
        if (tokens.Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new CliException($"--name: there is already a credential named '{name}' (remove it first: openum admin-token remove {name}).");
        return tokens;
    }

    /// <summary>Removes the credential named <paramref name="name"/>; false when there is none.</summary>
    public bool Remove(string name)
    {
        var tokens = List().ToList();
        if (tokens.RemoveAll(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) == 0) return false;
        Save(tokens);
        return true;
    }

    /// <summary>The stored token <paramref name="presented"/> is, compared by hash in constant time; null when none.</summary>
    public static AdminToken? Find(IReadOnlyList<AdminToken> tokens, string presented)
    {
        byte[] hash = Convert.FromHexString(Hash(presented));
        AdminToken? match = null;
        // Every stored hash is compared, so the time taken says nothing about which one (or whether one) matched.
        foreach (var token in tokens)
            if (token.Sha256 is { Length: 64 } stored && stored.All(char.IsAsciiHexDigit)  // a hand-edited line matches nothing
                && CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(stored))) match = token;
        return match;
    }

    /// <summary>The stored credential of the client certificate <paramref name="presented"/>; null when it was never added.</summary>
    public static AdminToken? FindCertificate(IReadOnlyList<AdminToken> tokens, X509Certificate2 presented)
    {
        string fingerprint = Fingerprint(presented);
        return tokens.FirstOrDefault(t => t.Certificate == fingerprint);
    }

    /// <summary>A certificate's SHA-256 fingerprint in uppercase hex, as `openssl x509 -fingerprint -sha256` shows it without colons.</summary>
    public static string Fingerprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>The SHA-256 of a token, in lowercase hex.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    // Written to a new owner-only file and renamed over the old one: a reader sees the old list or the new, never half.
    private void Save(List<AdminToken> tokens)
    {
        string temporary = Path + ".new";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, tokens, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }
}
