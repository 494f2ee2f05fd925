using System.Globalization;
using System.Numerics;
using System.Text;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Sdp;

/// <summary>One SDES key-param, "inline:&lt;key||salt&gt;[|lifetime][|MKI:length]" (RFC 4568 §6.1). ToString() hides the key.</summary>
/// <param name="KeySalt">Master key followed by master salt, as carried in the base64 text.</param>
/// <param name="Lifetime">Key lifetime in packets; null when absent (the suite maximum applies).</param>
/// <param name="MkiValue">MKI value; null when the key-param carries no MKI.</param>
/// <param name="MkiLength">MKI length on the wire in bytes (1-128); 0 when there is no MKI.</param>
/// <param name="LifetimeAsPowerOfTwo">Write the lifetime as "2^n" (keeps the sender's form on a round trip).</param>
public sealed record SdesKeyParam(ReadOnlyMemory<byte> KeySalt, ulong? Lifetime = null, ulong? MkiValue = null,
    int MkiLength = 0, bool LifetimeAsPowerOfTwo = false)
{
    /// <summary>Largest key||salt we decode for a suite we do not know (the largest known suite needs 46 bytes).</summary>
    public const int MaxKeySaltLength = 64;

    /// <summary>Largest MKI length RFC 4568 allows, bytes.</summary>
    public const int MaxMkiLength = 128;

    private const int MaxBase64Length = (MaxKeySaltLength + 2) / 3 * 4;

    /// <summary>True when the key-param carries an MKI.</summary>
    public bool HasMki => MkiLength > 0;

    /// <summary>The MKI as it appears in each packet: the value big-endian in <see cref="MkiLength"/> bytes.</summary>
    public byte[] MkiBytes()
    {
        var bytes = new byte[MkiLength];
        ulong v = MkiValue ?? 0;
        for (int i = MkiLength - 1; i >= 0 && v != 0; i--, v >>= 8)
            bytes[i] = (byte)v;
        return bytes;
    }

    /// <summary>The key-param that carries <paramref name="key"/> (MKI of at most 8 bytes).</summary>
    public static SdesKeyParam FromMasterKey(SrtpMasterKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keySalt = new byte[key.Key.Length + key.Salt.Length];
        key.Key.Span.CopyTo(keySalt);
        key.Salt.Span.CopyTo(keySalt.AsSpan(key.Key.Length));
        var mki = key.Mki.Span;
        if (mki.Length > 8)
            throw new ArgumentException("an MKI longer than 8 bytes has no decimal SDES form here", nameof(key));
        ulong? value = null;
        if (!mki.IsEmpty)
        {
            ulong v = 0;
            foreach (byte b in mki)
                v = v << 8 | b;
            value = v;
        }
        return new SdesKeyParam(keySalt, key.Lifetime, value, mki.Length);
    }

    /// <summary>
    /// Splits key||salt for <paramref name="suite"/> into a master key: false when the length is wrong, or when the
    /// lifetime or MKI cannot key SRTP (RFC 4568 lets a lifetime go up to 2^64-1; RFC 3711 §9.2 stops at 2^48).
    /// </summary>
    public bool TryToMasterKey(SrtpSuite suite, out SrtpMasterKey? key)
    {
        var info = SrtpSuites.Info(suite);
        key = null;
        if (KeySalt.Length != info.MasterLength || Lifetime is 0 or > SrtpMasterKey.MaxSrtpPackets
            || MkiLength is < 0 or > MaxMkiLength)
            return false;
        var span = KeySalt.Span;
        key = new SrtpMasterKey(suite, span[..info.KeyLength], span[info.KeyLength..], MkiBytes(), Lifetime);
        return true;
    }

    /// <summary>The wire form, key included.</summary>
    public string Format() => Append(new StringBuilder(), redact: false).ToString();

    /// <summary>The key-param with the key replaced by its length, safe to log.</summary>
    public override string ToString() => Append(new StringBuilder(), redact: true).ToString();

    internal StringBuilder Append(StringBuilder sb, bool redact)
    {
        sb.Append("inline:");
        if (redact)
            sb.Append("<key ").Append(KeySalt.Length.ToString(CultureInfo.InvariantCulture)).Append(" bytes>");
        else
            sb.Append(Convert.ToBase64String(KeySalt.Span));
        if (Lifetime is { } life)
        {
            sb.Append('|');
            if (LifetimeAsPowerOfTwo && ulong.IsPow2(life))
                sb.Append("2^").Append(BitOperations.Log2(life).ToString(CultureInfo.InvariantCulture));
            else
                sb.Append(life.ToString(CultureInfo.InvariantCulture));
        }
        if (HasMki)
            sb.Append('|').Append((MkiValue ?? 0).ToString(CultureInfo.InvariantCulture)).Append(':')
                .Append(MkiLength.ToString(CultureInfo.InvariantCulture));
        return sb;
    }

    // key-param = "inline:" key-info; srtp-key-info = key-salt ["|" lifetime] ["|" mki] (RFC 4568 §9.2).
    // A field holding ':' is the MKI; it must be last, and at most one lifetime comes before it.
    internal static string? TryParse(ReadOnlySpan<char> s, SrtpSuite? suite, out SdesKeyParam? param)
    {
        param = null;
        const string Method = "inline:";
        if (!s.StartsWith(Method, StringComparison.OrdinalIgnoreCase))
            return s.IndexOf(':') > 0 ? "unsupported key method (only inline is defined)" : "key-param lacks \"inline:\"";
        s = s[Method.Length..];
        int bar = s.IndexOf('|');
        var b64 = bar >= 0 ? s[..bar] : s;
        var rest = bar >= 0 ? s[(bar + 1)..] : [];
        if (b64.IsEmpty)
            return "empty inline key";
        if (b64.Length > MaxBase64Length)
            return "inline key too long";
        if (!TryDecodeBase64(b64, out var keySalt))
            return "inline key is not valid base64";
        if (suite is { } known)
        {
            int need = SrtpSuites.Info(known).MasterLength;
            if (keySalt.Length != need)
                return string.Create(CultureInfo.InvariantCulture,
                    $"inline key is {keySalt.Length} bytes; {SrtpSuites.Name(known)} needs {need}");
        }

        ulong? lifetime = null;
        bool pow2 = false;
        ulong? mki = null;
        int mkiLength = 0;
        while (bar >= 0)
        {
            bar = rest.IndexOf('|');
            var field = bar >= 0 ? rest[..bar] : rest;
            rest = bar >= 0 ? rest[(bar + 1)..] : [];
            if (mkiLength > 0)
                return "nothing may follow the MKI";
            int colon = field.IndexOf(':');
            if (colon >= 0)
            {
                if (!SdpText.IsDigits(field[..colon], 20) || !ulong.TryParse(field[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
                    return "MKI value must be a decimal number below 2^64";
                if (!SdpText.TryParseInt(field[(colon + 1)..], 1, MaxMkiLength, out mkiLength) || field.Length - colon - 1 > 3)
                    return "MKI length must be 1-128";
                if (mkiLength < 8 && v >> (8 * mkiLength) != 0)
                    return "MKI value does not fit its length";
                mki = v;
            }
            else
            {
                if (lifetime is not null)
                    return "second lifetime (an MKI needs \"value:length\")";
                if (!TryParseLifetime(field, out ulong life, out pow2))
                    return "lifetime must be a decimal number or 2^n, not 0";
                lifetime = life;
            }
        }
        param = new SdesKeyParam(keySalt, lifetime, mki, mkiLength, pow2);
        return null;
    }

    private static bool TryParseLifetime(ReadOnlySpan<char> s, out ulong lifetime, out bool pow2)
    {
        lifetime = 0;
        pow2 = s.StartsWith("2^", StringComparison.Ordinal);
        if (pow2)
        {
            if (!SdpText.TryParseInt(s[2..], 0, 63, out int n) || s.Length > 4)
                return false;
            lifetime = 1UL << n;
            return true;
        }
        return SdpText.IsDigits(s, 20) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out lifetime) && lifetime != 0;
    }

    // Strict base64 (RFC 4648 alphabet); the "=" padding may be left off, as some stacks do for 46-byte keys.
    private static bool TryDecodeBase64(ReadOnlySpan<char> s, out byte[] bytes)
    {
        bytes = [];
        int pad = 0;
        while (pad < 2 && pad < s.Length && s[s.Length - 1 - pad] == '=')
            pad++;
        var body = s[..^pad];
        if (body.IsEmpty || (body.Length + pad) % 4 != 0 && pad != 0 || body.Length % 4 == 1)
            return false;
        foreach (char c in body)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '/')
                return false;
        }
        Span<char> padded = stackalloc char[MaxBase64Length + 4];
        body.CopyTo(padded);
        int len = body.Length;
        while (len % 4 != 0)
            padded[len++] = '=';
        var buffer = new byte[len / 4 * 3];
        if (!Convert.TryFromBase64Chars(padded[..len], buffer, out int written) || written == 0)
            return false;
        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }
}
