using System.Globalization;
using System.Text;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Sdp;

/// <summary>
/// One a=crypto value (RFC 4568 §9.1): "tag suite key-params [session-params]". Parsing is strict and bounded;
/// a suite we do not know parses with <see cref="Suite"/> null so the answerer can skip the line.
/// ToString() never shows key material; <see cref="Format"/> gives the wire form.
/// </summary>
public sealed class SdesCrypto
{
    /// <summary>Longest a=crypto value we parse (real lines are under 200 characters).</summary>
    public const int MaxLength = 1024;

    /// <summary>Most key-params in one attribute (RFC 4568 sets no limit; several keys need MKIs).</summary>
    public const int MaxKeyParams = 8;

    /// <summary>Most session parameters in one attribute.</summary>
    public const int MaxSessionParams = 16;

    /// <summary>Largest tag, 1*9DIGIT.</summary>
    public const int MaxTag = 999_999_999;

    /// <summary>Smallest WSH RFC 4568 §6.3.6 allows (the SRTP default window).</summary>
    public const int MinWindowSizeHint = 64;

    private const int MaxSuiteNameLength = 64;

    /// <summary>An attribute carrying one key for a known suite, as we send it.</summary>
    public SdesCrypto(int tag, SrtpSuite suite, SdesKeyParam key, string? suiteName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tag);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tag, MaxTag);
        ArgumentNullException.ThrowIfNull(key);
        Tag = tag;
        Suite = suite;
        SuiteName = suiteName ?? SrtpSuites.Name(suite);
        Keys = [key];
    }

    private SdesCrypto(int tag, string suiteName, SrtpSuite? suite, IReadOnlyList<SdesKeyParam> keys)
    {
        Tag = tag;
        SuiteName = suiteName;
        Suite = suite;
        Keys = keys;
    }

    /// <summary>The tag (0-999999999); the answer repeats the chosen offer line's tag.</summary>
    public int Tag { get; }

    /// <summary>The suite as written (keeps alias spellings such as AES_CM_256_HMAC_SHA1_80).</summary>
    public string SuiteName { get; }

    /// <summary>The suite, or null when we do not implement it (the line must then be skipped).</summary>
    public SrtpSuite? Suite { get; }

    /// <summary>One or more key-params; with several, each carries an MKI of the same length.</summary>
    public IReadOnlyList<SdesKeyParam> Keys { get; }

    /// <summary>Session parameters as written (FEC_KEY carries key material: do not log these raw).</summary>
    public IReadOnlyList<string> SessionParams { get; private set; } = [];

    /// <summary>KDR: key derivation rate exponent (0-24), or null when absent.</summary>
    public int? KeyDerivationRate { get; private set; }

    /// <summary>UNENCRYPTED_SRTP was given.</summary>
    public bool UnencryptedSrtp { get; private set; }

    /// <summary>UNENCRYPTED_SRTCP was given.</summary>
    public bool UnencryptedSrtcp { get; private set; }

    /// <summary>UNAUTHENTICATED_SRTP was given.</summary>
    public bool UnauthenticatedSrtp { get; private set; }

    /// <summary>FEC_ORDER value (FEC_SRTP or SRTP_FEC), or null.</summary>
    public string? FecOrder { get; private set; }

    /// <summary>True when FEC_KEY was given (its keys are not kept).</summary>
    public bool HasFecKey { get; private set; }

    /// <summary>WSH: the sender's replay window size hint (at least 64), or null.</summary>
    public int? WindowSizeHint { get; private set; }

    /// <summary>Unknown session parameters without the "-" prefix: the attribute is unusable (RFC 4568 §6.3.7).</summary>
    public IReadOnlyList<string> UnknownMandatoryParams { get; private set; } = [];

    /// <summary>Parses one a=crypto value; on failure <paramref name="error"/> says why (it never echoes key text).</summary>
    public static bool TryParse(string? value, out SdesCrypto? crypto, out string? error)
    {
        crypto = null;
        error = value is null ? "a=crypto has no value" : Parse(value.AsSpan(), out crypto);
        if (error is not null)
            crypto = null;
        return error is null;
    }

    /// <summary>The wire form (the part after "a=crypto:"), keys included.</summary>
    public string Format() => Build(redact: false);

    /// <summary>The attribute with keys replaced by their lengths, safe to log.</summary>
    public override string ToString() => Build(redact: true);

    /// <summary>Reads the tag and suite token of a value that may not parse, for diagnostics (sanitised).</summary>
    internal static (string? Tag, string? Suite) Peek(string? value)
    {
        if (value is null)
            return (null, null);
        var s = value.AsSpan(0, Math.Min(value.Length, 200));
        var tag = NextToken(ref s);
        var suite = NextToken(ref s);
        return (tag.IsEmpty ? null : Safe(tag), suite.IsEmpty ? null : Safe(suite));
    }

    /// <summary>Keeps only characters that are safe in a SIP Warning text and log lines, and at most 40 of them.</summary>
    internal static string Safe(ReadOnlySpan<char> s)
    {
        var sb = new StringBuilder(Math.Min(s.Length, 40));
        foreach (char c in s)
        {
            if (sb.Length == 40)
                break;
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '=' or '^' or '.' ? c : '?');
        }
        return sb.ToString();
    }

    private string Build(bool redact)
    {
        var sb = new StringBuilder(160);
        sb.Append(Tag.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(SuiteName).Append(' ');
        for (int i = 0; i < Keys.Count; i++)
        {
            if (i > 0)
                sb.Append(';');
            Keys[i].Append(sb, redact);
        }
        foreach (var p in SessionParams)
        {
            sb.Append(' ');
            sb.Append(redact && p.StartsWith("FEC_KEY=", StringComparison.OrdinalIgnoreCase) ? "FEC_KEY=<redacted>" : p);
        }
        return sb.ToString();
    }

    private static string? Parse(ReadOnlySpan<char> s, out SdesCrypto? crypto)
    {
        crypto = null;
        if (s.Length > MaxLength)
            return $"a=crypto longer than {MaxLength} characters";
        foreach (char c in s)
        {
            if (c is < ' ' and not '\t' or > '~')
                return "a=crypto holds a control or non-ASCII character";
        }
        if (s.IsEmpty || s[0] is ' ' or '\t')
            return "a=crypto lacks its tag";

        var tagText = NextToken(ref s);
        if (!SdpText.IsDigits(tagText, 9))
            return "tag must be 1-9 digits";
        int tag = int.Parse(tagText, NumberStyles.None, CultureInfo.InvariantCulture);

        var suiteText = NextToken(ref s);
        if (suiteText.IsEmpty)
            return "a=crypto lacks its crypto-suite";
        if (suiteText.Length > MaxSuiteNameLength || !IsSuiteToken(suiteText))
            return "crypto-suite must be letters, digits and '_'";
        SrtpSuites.TryParse(suiteText, out var suite);

        var keyText = NextToken(ref s);
        if (keyText.IsEmpty)
            return "a=crypto lacks key-params";
        var keys = new List<SdesKeyParam>();
        string? error = ParseKeyParams(keyText, suite, keys);
        if (error is not null)
            return error;

        var result = new SdesCrypto(tag, suiteText.ToString(), suite, keys);
        var raw = new List<string>();
        var unknown = new List<string>();
        while (true)
        {
            var p = NextToken(ref s);
            if (p.IsEmpty)
                break;
            if (raw.Count == MaxSessionParams)
                return $"more than {MaxSessionParams} session parameters";
            error = result.ApplySessionParam(p, suite, unknown);
            if (error is not null)
                return error;
            raw.Add(p.ToString());
        }
        result.SessionParams = raw;
        result.UnknownMandatoryParams = unknown;
        crypto = result;
        return null;
    }

    // key-params = key-param *(";" key-param). Several keys are told apart by MKI (RFC 3711 §3.2.1), so each
    // needs one, all of the same length (RFC 4568 §6.1) and with distinct values.
    private static string? ParseKeyParams(ReadOnlySpan<char> s, SrtpSuite? suite, List<SdesKeyParam> keys)
    {
        if (s.Count(';') >= MaxKeyParams)
            return $"more than {MaxKeyParams} key-params";
        while (true)
        {
            int semi = s.IndexOf(';');
            var one = semi >= 0 ? s[..semi] : s;
            string? error = SdesKeyParam.TryParse(one, suite, out var key);
            if (error is not null)
                return error;
            keys.Add(key!);
            if (semi < 0)
                break;
            s = s[(semi + 1)..];
        }
        if (keys.Count > 1)
        {
            for (int i = 0; i < keys.Count; i++)
            {
                if (!keys[i].HasMki)
                    return "several key-params need an MKI each";
                if (keys[i].MkiLength != keys[0].MkiLength)
                    return "MKI lengths differ between key-params";
                for (int j = 0; j < i; j++)
                {
                    if (keys[j].MkiValue == keys[i].MkiValue)
                        return "two key-params share one MKI value";
                }
            }
        }
        return null;
    }

    // RFC 4568 §6.3: the SRTP session parameters; "-" marks an extension the receiver may ignore (§6.3.7).
    private string? ApplySessionParam(ReadOnlySpan<char> p, SrtpSuite? suite, List<string> unknown)
    {
        int eq = p.IndexOf('=');
        var name = eq >= 0 ? p[..eq] : p;
        var value = eq >= 0 ? p[(eq + 1)..] : [];
        if (name.Equals("KDR", StringComparison.OrdinalIgnoreCase))
        {
            if (KeyDerivationRate is not null || !SdpText.TryParseInt(value, 0, 24, out int kdr) || value.Length > 2)
                return "KDR must be given once, as 0-24";
            KeyDerivationRate = kdr;
        }
        else if (name.Equals("WSH", StringComparison.OrdinalIgnoreCase))
        {
            if (WindowSizeHint is not null || !SdpText.TryParseInt(value, MinWindowSizeHint, MaxTag, out int wsh) || value.Length > 9)
                return "WSH must be given once, as a number of at least 64";
            WindowSizeHint = wsh;
        }
        else if (name.Equals("FEC_ORDER", StringComparison.OrdinalIgnoreCase))
        {
            if (FecOrder is not null || !(value.Equals("FEC_SRTP", StringComparison.OrdinalIgnoreCase) || value.Equals("SRTP_FEC", StringComparison.OrdinalIgnoreCase)))
                return "FEC_ORDER must be given once, as FEC_SRTP or SRTP_FEC";
            FecOrder = value.ToString().ToUpperInvariant();
        }
        else if (name.Equals("FEC_KEY", StringComparison.OrdinalIgnoreCase))
        {
            if (HasFecKey || eq < 0)
                return "FEC_KEY must be given once, with key-params";
            string? error = ParseKeyParams(value, suite, []);
            if (error is not null)
                return "FEC_KEY: " + error;
            HasFecKey = true;
        }
        else if (eq < 0 && IsFlag(name, "UNENCRYPTED_SRTP", UnencryptedSrtp, out bool duplicate))
        {
            if (duplicate)
                return "UNENCRYPTED_SRTP given twice";
            UnencryptedSrtp = true;
        }
        else if (eq < 0 && IsFlag(name, "UNENCRYPTED_SRTCP", UnencryptedSrtcp, out duplicate))
        {
            if (duplicate)
                return "UNENCRYPTED_SRTCP given twice";
            UnencryptedSrtcp = true;
        }
        else if (eq < 0 && IsFlag(name, "UNAUTHENTICATED_SRTP", UnauthenticatedSrtp, out duplicate))
        {
            if (duplicate)
                return "UNAUTHENTICATED_SRTP given twice";
            UnauthenticatedSrtp = true;
        }
        else if (p[0] != '-')
        {
            unknown.Add(Safe(p));
        }
        return null;
    }

    private static bool IsFlag(ReadOnlySpan<char> name, string flag, bool already, out bool duplicate)
    {
        bool match = name.Equals(flag, StringComparison.OrdinalIgnoreCase);
        duplicate = match && already;
        return match;
    }

    private static bool IsSuiteToken(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                return false;
        }
        return true;
    }

    // Fields are separated by 1*WSP (RFC 4568 §9.1).
    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> s)
    {
        int start = 0;
        while (start < s.Length && s[start] is ' ' or '\t')
            start++;
        int end = start;
        while (end < s.Length && s[end] is not ' ' and not '\t')
            end++;
        var token = s[start..end];
        s = s[end..];
        return token;
    }
}
