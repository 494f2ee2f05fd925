using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>Master key material for one direction of an SRTP stream. <see cref="ToString"/> never shows key bytes.</summary>
public sealed class SrtpMasterKey : IDisposable
{
    /// <summary>RFC 3711 §9.2: at most 2^48 SRTP packets per master key.</summary>
    public const ulong MaxSrtpPackets = 1UL << 48;

    /// <summary>RFC 3711 §9.2: at most 2^31 SRTCP packets per master key.</summary>
    public const ulong MaxSrtcpPackets = 1UL << 31;

    private readonly byte[] _key;
    private readonly byte[] _salt;
    private readonly byte[] _mki;

    /// <summary>Creates a master key; throws <see cref="ArgumentException"/> (without key bytes) on wrong lengths.</summary>
    public SrtpMasterKey(SrtpSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> mki = default, ulong? lifetime = null)
    {
        var info = SrtpSuites.Info(suite);
        if (key.Length != info.KeyLength)
            throw new ArgumentException($"{info.Name} needs a {info.KeyLength}-byte master key, got {key.Length} bytes.", nameof(key));
        if (salt.Length != info.SaltLength)
            throw new ArgumentException($"{info.Name} needs a {info.SaltLength}-byte master salt, got {salt.Length} bytes.", nameof(salt));
        // RFC 4568 §6.1 bounds the MKI length field to 1..128 bytes.
        if (mki.Length > 128)
            throw new ArgumentException($"MKI must be at most 128 bytes, got {mki.Length}.", nameof(mki));
        if (lifetime is 0 || lifetime > MaxSrtpPackets)
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "Key lifetime must be 1..2^48 packets.");
        Suite = suite;
        _key = key.ToArray();
        _salt = salt.ToArray();
        _mki = mki.ToArray();
        Lifetime = lifetime;
    }

    /// <summary>A fresh random key and salt from the system CSPRNG, without MKI.</summary>
    public static SrtpMasterKey Generate(SrtpSuite suite)
    {
        var info = SrtpSuites.Info(suite);
        Span<byte> material = stackalloc byte[64];
        material = material[..info.MasterLength];
        RandomNumberGenerator.Fill(material);
        try
        {
            return new SrtpMasterKey(suite, material[..info.KeyLength], material[info.KeyLength..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>The suite this key is for.</summary>
    public SrtpSuite Suite { get; }

    /// <summary>Master key bytes.</summary>
    public ReadOnlyMemory<byte> Key => _key;

    /// <summary>Master salt bytes (14 for AES-CM, 12 for GCM).</summary>
    public ReadOnlyMemory<byte> Salt => _salt;

    /// <summary>Master key identifier sent on the wire; empty = no MKI field.</summary>
    public ReadOnlyMemory<byte> Mki => _mki;

    /// <summary>Key lifetime in packets; null = the suite maximum (2^48 SRTP / 2^31 SRTCP).</summary>
    public ulong? Lifetime { get; }

    /// <summary>True once <see cref="Dispose"/> zeroed the material.</summary>
    internal bool IsDisposed { get; private set; }

    /// <summary>Zeroes the key and salt.</summary>
    public void Dispose()
    {
        IsDisposed = true;
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_salt);
    }

    /// <summary>Suite, MKI length and lifetime only; never key or salt bytes.</summary>
    public override string ToString() =>
        $"SrtpMasterKey({SrtpSuites.Name(Suite)}, key=<redacted>, mki={_mki.Length} bytes, lifetime={(Lifetime?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default")})";
}
