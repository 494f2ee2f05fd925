using System.Globalization;
using System.Security.Cryptography;

namespace OpenUM.Directory.Pins;

/// <summary>
/// Salted slow PIN hashes (OUT-3a): PBKDF2-HMAC-SHA256 with a 16-byte random salt, encoded with its
/// parameters as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64) so the cost can rise without a migration.
/// </summary>
public static class PinHasher
{
    /// <summary>Encoding prefix.</summary>
    public const string Scheme = "pbkdf2-sha256";
    /// <summary>Iterations of new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;
    /// <summary>Fewest iterations accepted, so an edited store cannot downgrade the cost.</summary>
    public const int MinIterations = 100_000;
    /// <summary>Most iterations accepted, so an edited store cannot make one logon burn minutes of CPU.</summary>
    public const int MaxIterations = 10_000_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes a PIN with a fresh salt and <see cref="DefaultIterations"/>.</summary>
    public static string Hash(ReadOnlySpan<char> pin) => Hash(pin, DefaultIterations);

    /// <summary>Hashes a PIN with a fresh salt and the given cost (at least <see cref="MinIterations"/>).</summary>
    public static string Hash(ReadOnlySpan<char> pin, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        Span<byte> salt = stackalloc byte[SaltBytes];
        RandomNumberGenerator.Fill(salt);
        Span<byte> hash = stackalloc byte[HashBytes];
        Rfc2898DeriveBytes.Pbkdf2(pin, salt, hash, iterations, HashAlgorithmName.SHA256);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="pin"/> hashes to <paramref name="hash"/>; false for a wrong PIN or a malformed hash.</summary>
    public static bool Verify(ReadOnlySpan<char> pin, string hash)
    {
        if (!TryParse(hash, out var iterations, out var salt, out var expected))
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[HashBytes];
        Rfc2898DeriveBytes.Pbkdf2(pin, salt, actual, iterations, HashAlgorithmName.SHA256);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>The iteration count encoded in a hash, or null when it is not one of ours.</summary>
    public static int? Iterations(string hash) => TryParse(hash, out var iterations, out _, out _) ? iterations : null;

    private static bool TryParse(string? hash, out int iterations, out byte[] salt, out byte[] expected)
    {
        iterations = 0;
        salt = expected = [];
        var parts = hash?.Split('$');
        if (parts is not [Scheme, var count, var saltText, var hashText]
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(saltText);
            expected = Convert.FromBase64String(hashText);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= SaltBytes && expected.Length == HashBytes;
    }
}
