using System.Security.Cryptography;

namespace OpenUM.Sip.Transactions;

// Tags, branches and Call-IDs from a CSPRNG: guessable tags would let an off-path attacker forge BYEs.
internal static class SipIds
{
    // RFC 3261 §8.1.1.7: branches start with the magic cookie so §17.2.3 matching applies.
    public const string MagicCookie = "z9hG4bK";

    public static string NewTag() => RandomHex(8);

    public static string NewBranch() => MagicCookie + RandomHex(12);

    public static string NewCallId() => RandomHex(16);

    private static string RandomHex(int bytes)
    {
        Span<byte> buffer = stackalloc byte[16];
        var slice = buffer[..bytes];
        RandomNumberGenerator.Fill(slice);
        return Convert.ToHexStringLower(slice);
    }
}
