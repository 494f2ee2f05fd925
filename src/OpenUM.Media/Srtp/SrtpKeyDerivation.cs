using System.Security.Cryptography;

namespace OpenUM.Media.Srtp;

/// <summary>RFC 3711 §4.3 key derivation with the AES-CM PRF and key_derivation_rate 0 (RFC 6188 for AES-256, RFC 7714 §11 for GCM).</summary>
internal static class SrtpKeyDerivation
{
    /// <summary>Session key labels (RFC 3711 §4.3.1).</summary>
    public const byte RtpEncryption = 0, RtpAuthentication = 1, RtpSalt = 2, RtcpEncryption = 3, RtcpAuthentication = 4, RtcpSalt = 5;

    /// <summary>The 16-byte PRF input block: (master_salt XOR label&lt;&lt;48) * 2^16, the salt zero-padded to 112 bits.</summary>
    public static void AesInput(ReadOnlySpan<byte> masterSalt, byte label, Span<byte> block)
    {
        block[..16].Clear();
        // GCM's 96-bit salt is zero-padded on the right to the 112 bits the KDF expects, as libsrtp does.
        masterSalt.CopyTo(block);
        block[7] ^= label;
    }

    /// <summary>Fills <paramref name="output"/> with the PRF output for <paramref name="label"/>.</summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        if (output.IsEmpty)
            return;
        // Session keys are at most 32 bytes (the RFC B.3 auth-key vector is 94): one counter byte is plenty.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(output.Length, 256);
        using var aes = Aes.Create();
        byte[] k = masterKey.ToArray();
        aes.Key = k; // Aes keeps its own copy and zeroes it on Dispose
        CryptographicOperations.ZeroMemory(k);
        int blocks = (output.Length + 15) / 16;
        Span<byte> counters = stackalloc byte[blocks * 16];
        Span<byte> stream = stackalloc byte[blocks * 16];
        AesInput(masterSalt, label, counters);
        for (int i = 1; i < blocks; i++)
        {
            counters[..14].CopyTo(counters[(i * 16)..]);
            counters[i * 16 + 15] = (byte)i;
        }
        aes.EncryptEcb(counters, stream, PaddingMode.None);
        stream[..output.Length].CopyTo(output);
        CryptographicOperations.ZeroMemory(stream);
    }
}
