using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>The derived session keys of one half (SRTP or SRTCP) of a context and the crypto objects keyed with them.</summary>
internal sealed class SrtpSessionKeys : IDisposable
{
    /// <summary>Session salt: 14 bytes for AES-CM, 12 for GCM.</summary>
    public byte[] Salt { get; }

    /// <summary>AES-CM cipher (null for GCM).</summary>
    public AesCounterMode? Cm { get; }

    /// <summary>HMAC-SHA1 (null for GCM).</summary>
    public SrtpAuthenticator? Auth { get; }

    /// <summary>AES-GCM (null for AES-CM).</summary>
    public SrtpAead? Aead { get; }

    private SrtpSessionKeys(SrtpSuiteInfo info, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> auth, SrtpCryptoPath cryptoPath)
    {
        Salt = salt.ToArray();
        if (info.IsAead)
        {
            Aead = SrtpAead.Create(key, cryptoPath);
        }
        else
        {
            Cm = new AesCounterMode(key);
            Auth = SrtpAuthenticator.Create(auth, cryptoPath);
        }
    }

    /// <summary>Derives the keys for labels <paramref name="encLabel"/>, +1 (auth), +2 (salt) from the master key.</summary>
    public static SrtpSessionKeys Derive(SrtpSuiteInfo info, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte encLabel, SrtpCryptoPath cryptoPath)
    {
        Span<byte> key = stackalloc byte[info.KeyLength];
        Span<byte> salt = stackalloc byte[info.SaltLength];
        // RFC 3711 §8.2 / RFC 6188: 160-bit session authentication key for HMAC-SHA1; GCM has none.
        Span<byte> auth = stackalloc byte[info.IsAead ? 0 : SrtpAuthenticator.MacLength];
        try
        {
            SrtpKeyDerivation.Derive(masterKey, masterSalt, encLabel, key);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(encLabel + 2), salt);
            SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(encLabel + 1), auth);
            return new SrtpSessionKeys(info, key, salt, auth, cryptoPath);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(salt);
            CryptographicOperations.ZeroMemory(auth);
        }
    }

    /// <summary>Uses session keys as given (known-answer tests that publish session keys, e.g. RFC 7714 §16-17).</summary>
    public static SrtpSessionKeys FromSessionKeys(SrtpSuiteInfo info, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> auth, SrtpCryptoPath cryptoPath) =>
        new(info, key, salt, auth, cryptoPath);

    /// <summary>Zeroes the salt and releases the keyed objects.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(Salt);
        Cm?.Dispose();
        Auth?.Dispose();
        Aead?.Dispose();
    }
}
