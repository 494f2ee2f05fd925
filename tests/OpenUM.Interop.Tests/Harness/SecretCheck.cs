using System.Text.RegularExpressions;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>Asserts that a secret was never written to a log or an output.</summary>
/// <remarks>
/// A PIN is a few digits, and a long log holds any six-digit string by coincidence: in a timestamp's seven digits of
/// fractional seconds, an SSRC or a byte count. Such a hit runs on into more digits or letters; a PIN the server
/// wrote stands as a value of its own (<c>"Pin":"418527"</c>, <c>1000#418527#</c>), and that is what is looked for.
/// Other secrets (passwords, tokens) must not appear anywhere.
/// </remarks>
public static class SecretCheck
{
    /// <summary>Fails when <paramref name="secret"/> appears in <paramref name="text"/> as a value of its own.</summary>
    public static void AssertAbsent(string secret, string text, string where)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (!secret.All(char.IsAsciiDigit))
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret appears in {where}");
            return;
        }
        var hit = Regex.Match(text, $"(?<![0-9A-Za-z]){secret}(?![0-9A-Za-z])", RegexOptions.CultureInvariant);
        Assert.False(hit.Success, hit.Success
            ? $"the PIN {secret} appears in {where}: ...{text[Math.Max(0, hit.Index - 80)..Math.Min(text.Length, hit.Index + secret.Length + 80)]}..."
            : "");
    }
}
