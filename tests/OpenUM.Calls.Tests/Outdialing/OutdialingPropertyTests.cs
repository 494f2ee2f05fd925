using System.Text;
using System.Text.RegularExpressions;
using OpenUM.Calls.Outdialing;
using OpenUM.Directory;
using OpenUM.Directory.Dialing;

namespace OpenUM.Calls.Tests.Outdialing;

/// <summary>
/// Property: over random dial plans and random numbers (seeded, so failures reproduce), a number is
/// dialled only if an entry of an allowed group matches it, and the dial string is exactly what that
/// entry gives; every number such an entry matches is dialled. The oracle below is written from
/// reference §1.5 with regular expressions and shares no code with the engine.
/// </summary>
public partial class OutdialingPropertyTests
{
    private static readonly string[] GroupNames = ["Local", "Mobile", "Premium", "Europe", "World"];

    [Theory]
    [InlineData(20261129)]
    [InlineData(7)]
    [InlineData(424242)]
    public void NoNumberOutsideTheAllowedRulesIsEverDialled(int seed)
    {
        var random = new Random(seed);
        var options = new OutdialingOptions { DenyPrefixes = [] };
        int cases = 0, allowed = 0;
        for (var p = 0; p < 150; p++)
        {
            var plan = RandomPlan(random);
            var subscribers = Enumerable.Range(0, 3).Select(_ => Digits(random, plan.NumberOfDigitsInExtension)).Distinct().ToArray();
            var configuration = new ConfigurationSnapshot(1, [plan], [], [], [],
                subscribers.Select(e => new Mailbox { Extension = e, EmailAddress = $"u{e}@example.test", DialPlan = plan.Name }));
            foreach (var entry in plan.ConfiguredInCountryOrRegionGroups.Concat(plan.ConfiguredInternationalGroups))
            {
                Assert.Null(entry.Validate()); // the generator only writes what validation accepts
            }

            for (var n = 0; n < 40; n++)
            {
                var number = RandomNumber(random, plan);
                var source = random.Next(4) == 0 ? OutdialingTargetSource.CallerId : OutdialingTargetSource.Entered;
                var decision = OutdialingEngine.Evaluate(
                    new OutdialingRequest { Configuration = configuration, DialPlan = plan, Number = number, Source = source }, options);
                var expected = Oracle(plan, subscribers, number, source);
                cases++;
                var context = $"seed {seed}, plan {p}, number {number}, rules [{string.Join("; ", plan.ConfiguredInCountryOrRegionGroups.Concat(plan.ConfiguredInternationalGroups))}], allowed [{string.Join(",", plan.AllowedInCountryOrRegionGroups)} / {string.Join(",", plan.AllowedInternationalGroups)}]";
                Assert.True(expected.Dialed == decision.DialedNumber, $"{context}: oracle {expected.Dialed ?? "(denied)"}, engine {decision.DialedNumber ?? "(denied)"} ({decision.Reason})");
                Assert.Equal(expected.Dialed is not null, decision.Allowed);
                if (expected.Group is not null)
                {
                    Assert.True(string.Equals(expected.Group, decision.Group, StringComparison.OrdinalIgnoreCase), context);
                    Assert.Equal(expected.Mask, decision.Rule);
                }

                allowed += decision.Allowed ? 1 : 0;
            }
        }

        // The generator must exercise both outcomes, or the property says nothing.
        Assert.Equal(6000, cases);
        Assert.InRange(allowed, cases / 10, cases * 9 / 10);
    }

    [Fact]
    public void NoDeniedPrefixIsEverDialledWhateverTheRules()
    {
        var random = new Random(1129);
        var options = new OutdialingOptions { DenyPrefixes = ["+3389", "+449", "+1900", "0899"] };
        var plan = new DialPlan
        {
            Name = "Open", NumberOfDigitsInExtension = 4, CountryOrRegionCode = "33", InternationalAccessCode = "00", NationalNumberPrefix = "0",
            ConfiguredInCountryOrRegionGroups = [new("All", "*", "*")],
            ConfiguredInternationalGroups = [new("All", "*", "+*")],
            AllowedInCountryOrRegionGroups = ["All"],
            AllowedInternationalGroups = ["All"],
        };
        var configuration = new ConfigurationSnapshot(1, [plan], [], [], [], []);
        var denied = 0;
        for (var i = 0; i < 5000; i++)
        {
            var number = random.Next(6) switch
            {
                0 => "+3389" + Digits(random, 7),
                1 => "0899" + Digits(random, 6),
                2 => "+449" + Digits(random, 9),
                3 => "00449" + Digits(random, 9),
                4 => "899" + Digits(random, 6),
                _ => RandomNumber(random, plan),
            };
            var decision = OutdialingEngine.Evaluate(new OutdialingRequest { Configuration = configuration, DialPlan = plan, Number = number }, options);
            var e164 = E164(number);
            var premium = e164 is not null && (e164.StartsWith("+3389", StringComparison.Ordinal) || e164.StartsWith("+449", StringComparison.Ordinal) || e164.StartsWith("+1900", StringComparison.Ordinal));
            Assert.True(!premium || !decision.Allowed, $"{number} ({e164}) was allowed: {decision.DialedNumber}");
            denied += premium ? 1 : 0;
        }

        Assert.True(denied > 2000);

        // Independent E.164 form for this plan: +33 numbers, 00 international, national with or without the trunk 0; extensions have none.
        static string? E164(string number) =>
            number.StartsWith('+') ? number
            : number.Length == 4 ? null
            : number.StartsWith("00", StringComparison.Ordinal) ? "+" + number[2..]
            : number.StartsWith('0') ? "+33" + number[1..]
            : "+33" + number;
    }

    private sealed record Expected(string? Dialed, string? Group = null, string? Mask = null);

    private static Expected Oracle(DialPlan plan, string[] subscribers, string target, OutdialingTargetSource source)
    {
        // Classification, issue 5.
        var kind = "";
        var number = "";
        if (target.StartsWith('+'))
        {
            var digits = target[1..];
            (kind, number) = plan.CountryOrRegionCode is { } cc && digits.StartsWith(cc, StringComparison.Ordinal) && digits.Length > cc.Length
                ? ("national", digits[cc.Length..])
                : ("international", digits);
        }
        else if (target.Length == plan.NumberOfDigitsInExtension)
        {
            return subscribers.Contains(target)
                ? new Expected(plan.AllowDialPlanSubscribers ? target : null)
                : new Expected(plan.AllowExtensions ? target : null);
        }
        else if (plan.InternationalAccessCode is { } iac && target.StartsWith(iac, StringComparison.Ordinal) && target.Length > iac.Length)
        {
            (kind, number) = ("international", target[iac.Length..]);
        }
        else
        {
            (kind, number) = ("national", target);
        }

        var allowedNames = kind == "international" ? plan.AllowedInternationalGroups : plan.AllowedInCountryOrRegionGroups;
        if (kind == "international" && source == OutdialingTargetSource.CallerId)
        {
            return new Expected(null); // no group is listed for international call-backs by default
        }

        var configured = kind == "international" ? plan.ConfiguredInternationalGroups : plan.ConfiguredInCountryOrRegionGroups;
        Expected best = new(null);
        var bestScore = -1;
        foreach (var name in allowedNames)
        {
            foreach (var entry in configured.Where(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                if (Apply(entry, number) is ({ } dialed, var score) && score > bestScore)
                {
                    (best, bestScore) = (new Expected(dialed, entry.Name, entry.NumberMask), score);
                }
            }
        }

        return best;
    }

    private static (string? Dialed, int Score) Apply(DialingRuleEntry entry, string number)
    {
        var mask = entry.NumberMask;
        var plus = entry.DialedNumber.StartsWith('+') ? "+" : "";
        var dialed = entry.DialedNumber.TrimStart('+');
        if (mask == "*")
        {
            return (plus + (dialed == "*" ? number : dialed), number.Length);
        }

        if (PrefixStar().Match(mask) is { Success: true } star)
        {
            var prefix = star.Groups[1].Value;
            if (!Regex.IsMatch(number, "^" + prefix + "[0-9]+$"))
            {
                return (null, 0);
            }

            var rest = number[prefix.Length..];
            return (plus + (dialed.EndsWith('*') ? dialed[..^1] + rest : dialed), prefix.Length);
        }

        if (PrefixX().Match(mask) is { Success: true } x)
        {
            var prefix = x.Groups[1].Value;
            if (!Regex.IsMatch(number, "^" + prefix + "[0-9]{" + x.Groups[2].Length + "}$"))
            {
                return (null, 0);
            }

            var firstX = dialed.IndexOfAny(['x', 'X']);
            return (plus + (dialed == "*" ? number : firstX >= 0 ? dialed[..firstX] + number[prefix.Length..] : dialed), prefix.Length);
        }

        return number == mask ? (plus + dialed, mask.Length) : (null, 0);
    }

    [GeneratedRegex("^([0-9]+)\\*$")]
    private static partial Regex PrefixStar();

    [GeneratedRegex("^([0-9]*)([xX]+)$")]
    private static partial Regex PrefixX();

    private static DialPlan RandomPlan(Random random)
    {
        var inCountry = Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomEntry(random)).ToArray();
        var international = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomEntry(random)).ToArray();
        return new DialPlan
        {
            Name = "P",
            NumberOfDigitsInExtension = random.Next(3, 7),
            CountryOrRegionCode = random.Next(4) == 0 ? null : Digits(random, random.Next(1, 4)),
            InternationalAccessCode = random.Next(3) switch { 0 => null, 1 => "00", _ => "011" },
            NationalNumberPrefix = random.Next(2) == 0 ? null : "0",
            AllowDialPlanSubscribers = random.Next(2) == 0,
            AllowExtensions = random.Next(2) == 0,
            ConfiguredInCountryOrRegionGroups = inCountry,
            ConfiguredInternationalGroups = international,
            AllowedInCountryOrRegionGroups = SomeOf(random, inCountry),
            AllowedInternationalGroups = SomeOf(random, international),
        };
    }

    private static string[] SomeOf(Random random, DialingRuleEntry[] entries) =>
        entries.Select(e => e.Name).Distinct(StringComparer.OrdinalIgnoreCase).Where(_ => random.Next(3) != 0)
            .Select(n => random.Next(2) == 0 ? n.ToUpperInvariant() : n).ToArray();

    private static DialingRuleEntry RandomEntry(Random random)
    {
        var name = GroupNames[random.Next(GroupNames.Length)];
        var plus = random.Next(4) == 0 ? "+" : "";
        var prefix = Digits(random, random.Next(0, 4));
        switch (random.Next(4))
        {
            case 0: // *
                return new(name, "*", plus + (random.Next(2) == 0 ? "*" : Digits(random, random.Next(1, 6))));
            case 1: // digits*
                prefix = prefix.Length == 0 ? "0" : prefix;
                return new(name, prefix + "*", plus + (random.Next(3) switch { 0 => "*", 1 => Digits(random, random.Next(0, 4)) + "*", _ => Digits(random, random.Next(1, 6)) }));
            case 2: // digits then x, or only x
                var mask = prefix + new string('x', random.Next(1, 9));
                return new(name, mask, plus + (random.Next(3) switch
                {
                    0 => "*",
                    1 => Digits(random, random.Next(0, 4)) + new string('x', random.Next(1, 4)),
                    _ => Digits(random, random.Next(1, 6)),
                }));
            default: // only digits
                return new(name, Digits(random, random.Next(1, 9)), plus + Digits(random, random.Next(1, 9)));
        }
    }

    private static string RandomNumber(Random random, DialPlan plan)
    {
        var body = new StringBuilder();
        var pick = random.Next(10);
        var rules = plan.ConfiguredInCountryOrRegionGroups.Concat(plan.ConfiguredInternationalGroups).ToArray();
        if (pick < 5 && rules.Length > 0)
        {
            // Aim at a rule: its literal digits, then random digits to the mask's length (give or take one).
            var mask = rules[random.Next(rules.Length)].NumberMask.TrimEnd('*');
            var length = mask.Length + random.Next(-1, 3);
            foreach (var c in mask.Take(Math.Max(0, length)))
            {
                body.Append(char.IsAsciiDigit(c) ? c : (char)('0' + random.Next(10)));
            }

            while (body.Length < length)
            {
                body.Append((char)('0' + random.Next(10)));
            }
        }
        else
        {
            body.Append(Digits(random, random.Next(1, 14)));
        }

        var text = body.Length == 0 ? "5" : body.ToString();
        return random.Next(6) switch
        {
            0 => "+" + (plan.CountryOrRegionCode ?? "") + text,
            1 => "+" + text,
            2 => (plan.InternationalAccessCode ?? "") + text,
            _ => text,
        };
    }

    private static string Digits(Random random, int count)
    {
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = (char)('0' + random.Next(10));
        }

        return new string(chars);
    }
}
