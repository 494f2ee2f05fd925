using OpenUM.Directory;

namespace OpenUM.Calls.Outdialing;

/// <summary>What kind of target an outbound number is (OUT-2); the kind picks the allowed groups it is checked against.</summary>
public enum NumberKind
{
    /// <summary>Digits of the dial plan's extension length: AllowDialPlanSubscribers/AllowExtensions decide.</summary>
    Extension,

    /// <summary>Checked against the in-country/region groups.</summary>
    National,

    /// <summary>Checked against the international groups; the number includes the country code.</summary>
    International,

    /// <summary>A SIP URI target, dialable only in a SipName dial plan.</summary>
    SipUri,
}

/// <summary>A classified target: its kind and the number the masks are matched against (digits only, or the URI).</summary>
public readonly record struct ClassifiedNumber(NumberKind Kind, string Number);

/// <summary>
/// Classifies a target by the dial plan's extension length and access codes (issue 5): extension
/// length → extension; "+" and the plan's country code → national (the rest); other "+" →
/// international (country code included); the international access code → international (the rest);
/// other digits → national.
/// </summary>
public static class NumberClassifier
{
    /// <summary>Longest number accepted, in digits (E.164 allows 15; access codes and extensions add some).</summary>
    public const int MaxDigits = 32;

    /// <summary>
    /// Classifies <paramref name="target"/>; visual separators (space, '-', '.', '(', ')') are ignored.
    /// Returns null with <paramref name="error"/> set when the target is no dialable number.
    /// </summary>
    public static ClassifiedNumber? Classify(string? target, DialPlan dialPlan, out string error)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        target = target?.Trim() ?? "";
        if (target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || target.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            error = "";
            return new ClassifiedNumber(NumberKind.SipUri, target);
        }

        Span<char> buffer = stackalloc char[MaxDigits + 1];
        var length = 0;
        var plus = false;
        for (var i = 0; i < target.Length; i++)
        {
            var c = target[i];
            if (c is ' ' or '-' or '.' or '(' or ')')
            {
                continue;
            }

            if (c == '+' && length == 0 && !plus)
            {
                plus = true;
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                error = $"'{target}' is not a phone number: give digits, optionally after a leading +";
                return null;
            }

            if (length == MaxDigits)
            {
                error = $"'{target}' has more than {MaxDigits} digits";
                return null;
            }

            buffer[length++] = c;
        }

        if (length == 0)
        {
            error = $"'{target}' has no digits";
            return null;
        }

        var digits = buffer[..length];
        error = "";
        if (plus)
        {
            return dialPlan.CountryOrRegionCode is { Length: > 0 } cc && digits.StartsWith(cc) && digits.Length > cc.Length
                ? new ClassifiedNumber(NumberKind.National, digits[cc.Length..].ToString())
                : new ClassifiedNumber(NumberKind.International, digits.ToString());
        }

        if (length == dialPlan.NumberOfDigitsInExtension)
        {
            return new ClassifiedNumber(NumberKind.Extension, digits.ToString());
        }

        return dialPlan.InternationalAccessCode is { Length: > 0 } iac && digits.StartsWith(iac) && digits.Length > iac.Length
            ? new ClassifiedNumber(NumberKind.International, digits[iac.Length..].ToString())
            : new ClassifiedNumber(NumberKind.National, digits.ToString());
    }

    /// <summary>
    /// The E.164 form ("+" and digits) of a national or international number, used for deny prefixes;
    /// null when the dial plan has no country code for a national number.
    /// </summary>
    public static string? ToE164(ClassifiedNumber number, DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        return number.Kind switch
        {
            NumberKind.International => "+" + number.Number,
            NumberKind.National when dialPlan.CountryOrRegionCode is { Length: > 0 } cc =>
                "+" + cc + (dialPlan.NationalNumberPrefix is { Length: > 0 } trunk && number.Number.StartsWith(trunk, StringComparison.Ordinal)
                    ? number.Number[trunk.Length..]
                    : number.Number),
            _ => null,
        };
    }

    /// <summary>A national number with the plan's trunk prefix in front (as users dial it), for national deny prefixes.</summary>
    public static string WithTrunkPrefix(ClassifiedNumber number, DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        return dialPlan.NationalNumberPrefix is { Length: > 0 } trunk && !number.Number.StartsWith(trunk, StringComparison.Ordinal)
            ? trunk + number.Number
            : number.Number;
    }
}
