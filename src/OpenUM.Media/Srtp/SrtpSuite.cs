using System.Diagnostics.CodeAnalysis;

namespace OpenUM.Media.Srtp;

/// <summary>SRTP crypto suites (SDES names, RFC 4568 §6.2, RFC 6188 §6, RFC 7714 §14.2).</summary>
public enum SrtpSuite
{
    /// <summary>AES_CM_128_HMAC_SHA1_80 (RFC 4568; mandatory to implement).</summary>
    AesCm128HmacSha1_80,
    /// <summary>AES_CM_128_HMAC_SHA1_32 (RFC 4568): 4-byte SRTP tag, SRTCP keeps 10 bytes.</summary>
    AesCm128HmacSha1_32,
    /// <summary>AES_256_CM_HMAC_SHA1_80 (RFC 6188).</summary>
    Aes256CmHmacSha1_80,
    /// <summary>AES_256_CM_HMAC_SHA1_32 (RFC 6188).</summary>
    Aes256CmHmacSha1_32,
    /// <summary>AEAD_AES_128_GCM (RFC 7714), 16-byte tag.</summary>
    AeadAes128Gcm,
    /// <summary>AEAD_AES_256_GCM (RFC 7714), 16-byte tag.</summary>
    AeadAes256Gcm,
}

/// <summary>The sizes that define a suite.</summary>
/// <param name="Name">The SDES name we send.</param>
/// <param name="KeyLength">Master (and session) encryption key, bytes.</param>
/// <param name="SaltLength">Master salt, bytes: 14 for AES-CM, 12 for GCM (RFC 7714 §12).</param>
/// <param name="RtpTagLength">Authentication tag on SRTP packets, bytes.</param>
/// <param name="RtcpTagLength">Authentication tag on SRTCP packets, bytes (10 even for the _32 suites, RFC 3711 §5.2).</param>
/// <param name="IsAead">True for the GCM suites (no separate HMAC key).</param>
public sealed record SrtpSuiteInfo(string Name, int KeyLength, int SaltLength, int RtpTagLength, int RtcpTagLength, bool IsAead)
{
    /// <summary>Length of the SDES inline key material (key || salt).</summary>
    public int MasterLength => KeyLength + SaltLength;
}

/// <summary>Names, sizes and our default preference for <see cref="SrtpSuite"/>.</summary>
public static class SrtpSuites
{
    private static readonly SrtpSuiteInfo[] Infos =
    [
        new("AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, false),
        new("AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, false),
        new("AES_256_CM_HMAC_SHA1_80", 32, 14, 10, 10, false),
        new("AES_256_CM_HMAC_SHA1_32", 32, 14, 4, 10, false),
        new("AEAD_AES_128_GCM", 16, 12, 16, 16, true),
        new("AEAD_AES_256_GCM", 32, 12, 16, 16, true),
    ];

    /// <summary>
    /// The interoperable suite first, then strongest first: AES_CM_128_HMAC_SHA1_80, then AEAD before HMAC, 256-bit
    /// before 128-bit, 80-bit tags before 32-bit ones. The answerer picks the first of these that the offer carries,
    /// and an offer lists them in this order.
    /// </summary>
    /// <remarks>
    /// AES_CM_128_HMAC_SHA1_80 is the one suite every SDES peer implements (RFC 4568 makes it mandatory); the AES-256
    /// and GCM suites are where SBCs and phones disagree in the field (alias names, GCM salt and tag handling), so
    /// preferring them turned calls that would work into failures. It costs nothing measurable: with the libcrypto
    /// paths it protects and unprotects at least as fast as the GCM suites at telephony packet sizes (bench/RESULTS.md,
    /// "SRTP protect/unprotect beside libsrtp on OpenSSL"). Operators who want GCM first say so with
    /// --srtp-crypto-suites.
    /// </remarks>
    public static IReadOnlyList<SrtpSuite> DefaultPreference { get; } =
    [
        SrtpSuite.AesCm128HmacSha1_80, SrtpSuite.AeadAes256Gcm, SrtpSuite.AeadAes128Gcm,
        SrtpSuite.Aes256CmHmacSha1_80, SrtpSuite.Aes256CmHmacSha1_32, SrtpSuite.AesCm128HmacSha1_32,
    ];

    /// <summary>Every suite in declaration order.</summary>
    public static IReadOnlyList<SrtpSuite> All { get; } = Enum.GetValues<SrtpSuite>();

    /// <summary>Sizes and SDES name of <paramref name="suite"/>.</summary>
    public static SrtpSuiteInfo Info(SrtpSuite suite) =>
        (uint)suite < (uint)Infos.Length ? Infos[(int)suite] : throw new ArgumentOutOfRangeException(nameof(suite));

    /// <summary>The SDES name of <paramref name="suite"/>.</summary>
    public static string Name(SrtpSuite suite) => Info(suite).Name;

    /// <summary>
    /// Parses an SDES suite name, case-insensitively; also accepts the alias names seen in the field for the
    /// RFC 6188 suites (AES_CM_256_HMAC_SHA1_80/_32, used by some SBCs and older Asterisk).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> name, [NotNullWhen(true)] out SrtpSuite? suite)
    {
        for (int i = 0; i < Infos.Length; i++)
        {
            if (name.Equals(Infos[i].Name, StringComparison.OrdinalIgnoreCase))
            {
                suite = (SrtpSuite)i;
                return true;
            }
        }
        if (name.Equals("AES_CM_256_HMAC_SHA1_80", StringComparison.OrdinalIgnoreCase))
        {
            suite = SrtpSuite.Aes256CmHmacSha1_80;
            return true;
        }
        if (name.Equals("AES_CM_256_HMAC_SHA1_32", StringComparison.OrdinalIgnoreCase))
        {
            suite = SrtpSuite.Aes256CmHmacSha1_32;
            return true;
        }
        suite = null;
        return false;
    }
}
