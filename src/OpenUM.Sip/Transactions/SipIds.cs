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

    private const int BlockLength = 256;

    // The CSPRNG is asked for a block at a time per thread (each call costs about a microsecond); every byte of it
    // is handed out once and wiped as it is.
    [ThreadStatic] private static byte[]? t_block;
    [ThreadStatic] private static int t_used;

    private static string RandomHex(int bytes)
    {
        var block = t_block;
        if (block is null || t_used + bytes > BlockLength)
        {
            block = t_block ??= new byte[BlockLength];
            RandomNumberGenerator.Fill(block);
            t_used = 0;
        }
        var slice = block.AsSpan(t_used, bytes);
        t_used += bytes;
        var hex = Convert.ToHexStringLower(slice);
        slice.Clear();
        return hex;
    }
}
