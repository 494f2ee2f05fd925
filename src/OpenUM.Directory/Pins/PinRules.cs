using System.Security.Cryptography;

namespace OpenUM.Directory.Pins;

/// <summary>
/// The PIN rules of a mailbox policy (OUT-3a, Set-UMMailboxPolicy): digits only, MinPINLength to 24
/// digits, never the extension, no repeated or sequential digits unless AllowCommonPatterns, and none of
/// the last PINHistoryCount PINs. Reasons never quote the PIN.
/// </summary>
public static class PinRules
{
    /// <summary>Longest PIN accepted (Exchange's MinPINLength maximum).</summary>
    public const int MaxPinLength = 24;

    /// <summary>Null when <paramref name="pin"/> is acceptable as the new PIN, otherwise the reason it is refused.</summary>
    public static string? Check(string pin, MailboxPolicy policy, MailboxPinState? current, string extension)
    {
        ArgumentNullException.ThrowIfNull(pin);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(extension);
        return CheckWithoutHistory(pin, policy, extension)
            ?? (IsInHistory(pin, policy, current)
                ? $"the PIN was used recently: the last {policy.PinHistoryCount} PINs may not be reused (pin-history-count)"
                : null);
    }

    /// <summary>The rules that need no hashing (length, digits, extension, common patterns).</summary>
    public static string? CheckWithoutHistory(string pin, MailboxPolicy policy, string extension)
    {
        ArgumentNullException.ThrowIfNull(pin);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(extension);
        if (pin.Length == 0 || !pin.All(char.IsAsciiDigit))
        {
            return "a PIN is made of digits 0-9 only";
        }

        if (pin.Length < policy.MinPinLength)
        {
            return $"the PIN is too short: at least {policy.MinPinLength} digits (min-pin-length of policy '{policy.Name}')";
        }

        if (pin.Length > MaxPinLength)
        {
            return $"the PIN is too long: at most {MaxPinLength} digits";
        }

        if (ContainsExtension(pin, extension))
        {
            return "the PIN may not contain the mailbox's extension";
        }

        if (!policy.AllowCommonPatterns)
        {
            if (IsRepeatedDigit(pin))
            {
                return "the PIN is one digit repeated; common patterns are not allowed (allow-common-patterns)";
            }

            if (IsSequence(pin))
            {
                return "the PIN counts up or down by one digit at a time; common patterns are not allowed (allow-common-patterns)";
            }

            if (IsRepeatedBlock(pin))
            {
                return "the PIN is a shorter group of digits repeated; common patterns are not allowed (allow-common-patterns)";
            }
        }

        return null;
    }

    /// <summary>True when the PIN's age has reached the policy's PINLifetime (never with Unlimited).</summary>
    public static bool IsExpired(MailboxPinState state, MailboxPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        return policy.PinLifetime is { } lifetime && now - state.SetAt >= lifetime;
    }

    /// <summary>A random PIN of MinPINLength digits (at least 6) that passes every rule.</summary>
    public static string Generate(MailboxPolicy policy, MailboxPinState? current, string extension)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var length = Math.Max(policy.MinPinLength, 6);
        // Rejections are rare (a few in a million for 6 digits), so this ends after one or two tries.
        while (true)
        {
            var digits = new char[length];
            for (var i = 0; i < length; i++)
            {
                digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
            }

            var pin = new string(digits);
            if (Check(pin, policy with { AllowCommonPatterns = false }, current, extension) is null)
            {
                return pin;
            }
        }
    }

    /// <summary>The history to keep when <paramref name="current"/> is replaced: the last PINHistoryCount PINs including the new one.</summary>
    public static IReadOnlyList<string> NextHistory(MailboxPinState? current, MailboxPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return current is null ? [] : [.. new[] { current.Hash }.Concat(current.History).Take(Math.Max(policy.PinHistoryCount - 1, 0))];
    }

    private static bool IsInHistory(string pin, MailboxPolicy policy, MailboxPinState? current) =>
        current is not null
        && new[] { current.Hash }.Concat(current.History).Take(policy.PinHistoryCount).Any(h => PinHasher.Verify(pin, h));

    // Exchange refuses the extension suffix even with AllowCommonPatterns; OpenUM also refuses a PIN
    // that embeds the whole extension, which a caller who knows the extension would try first.
    private static bool ContainsExtension(string pin, string extension) =>
        extension.Length > 0 && (pin.Contains(extension, StringComparison.Ordinal) || extension.EndsWith(pin, StringComparison.Ordinal));

    private static bool IsRepeatedDigit(string pin) => pin.AsSpan().IndexOfAnyExcept(pin[0]) < 0;

    private static bool IsSequence(string pin)
    {
        foreach (var step in (ReadOnlySpan<int>)[1, -1])
        {
            var run = true;
            for (var i = 1; i < pin.Length && run; i++)
            {
                // Wrapping (…890123) counts: it is the same keypad run.
                run = (pin[i - 1] - '0' + step + 10) % 10 == pin[i] - '0';
            }

            if (run)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRepeatedBlock(string pin)
    {
        for (var period = 2; period <= pin.Length / 2; period++)
        {
            var repeats = true;
            for (var i = period; i < pin.Length && repeats; i++)
            {
                repeats = pin[i] == pin[i - period];
            }

            if (repeats)
            {
                return true;
            }
        }

        return false;
    }
}
