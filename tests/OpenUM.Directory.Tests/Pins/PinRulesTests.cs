using OpenUM.Directory.Pins;

namespace OpenUM.Directory.Tests.Pins;

public class PinRulesTests
{
    private static readonly MailboxPolicy Policy = MailboxPolicy.DefaultFor("Main");

    [Theory]
    [InlineData("482917")]
    [InlineData("90817265")]
    [InlineData("473829104857362910473829")] // 24 digits, the longest
    public void StrongPinsPass(string pin) => Assert.Null(PinRules.Check(pin, Policy, null, "1234"));

    [Theory]
    [InlineData("48291", "at least 6")]              // MinPINLength default 6
    [InlineData("", "digits 0-9")]
    [InlineData("48a917", "digits 0-9")]
    [InlineData("482 917", "digits 0-9")]
    [InlineData("４８２９１７", "digits 0-9")]          // full-width digits are not ASCII digits
    [InlineData("4738291048573629104738291", "at most 24")]
    public void LengthAndAlphabet(string pin, string reason) =>
        Assert.Contains(reason, PinRules.Check(pin, Policy, null, "1234"));

    [Theory]
    [InlineData("111111")]
    [InlineData("000000")]
    [InlineData("99999999")]
    public void RepeatedDigitsAreRefused(string pin) =>
        Assert.Contains("one digit repeated", PinRules.Check(pin, Policy, null, "7070"));

    [Theory]
    [InlineData("123456")]
    [InlineData("654321")]
    [InlineData("345678")]
    [InlineData("890123")] // the keypad run wraps
    [InlineData("210987")]
    public void SequencesAreRefused(string pin) =>
        Assert.Contains("counts up or down", PinRules.Check(pin, Policy, null, "7070"));

    [Theory]
    [InlineData("121212")]
    [InlineData("123123")]
    [InlineData("40904090")]
    public void RepeatedBlocksAreRefused(string pin) =>
        Assert.Contains("group of digits repeated", PinRules.Check(pin, Policy, null, "7070"));

    [Theory]
    [InlineData("111111")]
    [InlineData("123456")]
    [InlineData("121212")]
    public void CommonPatternsPassWhenThePolicyAllowsThem(string pin) =>
        Assert.Null(PinRules.Check(pin, Policy with { AllowCommonPatterns = true }, null, "5555"));

    [Theory]
    [InlineData("482917", "482917")]   // the extension itself
    [InlineData("9482917", "482917")]  // the extension inside a longer PIN
    [InlineData("48291705", "48291705")]
    [InlineData("291705", "48291705")] // the extension's suffix (Exchange's rule)
    public void TheExtensionIsRefusedEvenWithCommonPatternsAllowed(string pin, string extension)
    {
        var policy = Policy with { AllowCommonPatterns = true, MinPinLength = 6 };
        Assert.Contains("extension", PinRules.Check(pin, policy, null, extension));
    }

    [Fact]
    public void MinPinLengthComesFromThePolicy()
    {
        var policy = Policy with { MinPinLength = 8 };
        Assert.Contains("at least 8", PinRules.Check("4829173", policy, null, "1234"));
        Assert.Null(PinRules.Check("48291736", policy, null, "1234"));
        Assert.Null(PinRules.Check("4829", Policy with { MinPinLength = 4 }, null, "1111"));
    }

    [Fact]
    public void TheLastHistoryCountPinsCannotBeReused()
    {
        var policy = Policy with { PinHistoryCount = 3 };
        // Current PIN p3; history p2, p1, p0, most recent first.
        string[] pins = ["482917", "593028", "604139", "715240"];
        var state = new MailboxPinState
        {
            Hash = Hash(pins[3]),
            History = [Hash(pins[2]), Hash(pins[1]), Hash(pins[0])],
            SetAt = DateTimeOffset.UnixEpoch,
        };
        Assert.Contains("used recently", PinRules.Check(pins[3], policy, state, "1234")); // current
        Assert.Contains("used recently", PinRules.Check(pins[2], policy, state, "1234"));
        Assert.Contains("used recently", PinRules.Check(pins[1], policy, state, "1234"));
        Assert.Null(PinRules.Check(pins[0], policy, state, "1234"));                     // older than 3 PINs
        Assert.Null(PinRules.Check("826153", policy, state, "1234"));
    }

    [Fact]
    public void NextHistoryKeepsTheCountIncludingTheNewPin()
    {
        var state = new MailboxPinState { Hash = "h3", History = ["h2", "h1", "h0"], SetAt = DateTimeOffset.UnixEpoch };
        Assert.Equal(["h3", "h2"], PinRules.NextHistory(state, Policy with { PinHistoryCount = 3 }));
        Assert.Empty(PinRules.NextHistory(state, Policy with { PinHistoryCount = 1 }));
        Assert.Empty(PinRules.NextHistory(null, Policy));
    }

    [Fact]
    public void LifetimeExpiresThePin()
    {
        var set = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = new MailboxPinState { Hash = "h", SetAt = set };
        Assert.False(PinRules.IsExpired(state, Policy, set.AddDays(60).AddTicks(-1)));
        Assert.True(PinRules.IsExpired(state, Policy, set.AddDays(60)));
        Assert.False(PinRules.IsExpired(state, Policy with { PinLifetime = null }, set.AddYears(10))); // Unlimited
    }

    [Fact]
    public void GeneratedPinsPassEveryRuleAndDiffer()
    {
        var policy = Policy with { MinPinLength = 8, AllowCommonPatterns = true };
        var pins = Enumerable.Range(0, 50).Select(_ => PinRules.Generate(policy, null, "12345678")).ToArray();
        Assert.All(pins, p => Assert.Equal(8, p.Length));
        // A reset PIN never uses a common pattern, even where the policy would accept one.
        Assert.All(pins, p => Assert.Null(PinRules.Check(p, policy with { AllowCommonPatterns = false }, null, "12345678")));
        Assert.True(pins.Distinct().Count() > 45);
    }

    [Fact]
    public void ReasonsNeverQuoteThePin()
    {
        string[] refused = ["48291", "111111", "123456", "121212", "4829a7", "4738291048573629104738291", "991234"];
        foreach (var pin in refused)
        {
            var reason = PinRules.Check(pin, Policy, null, "1234");
            Assert.NotNull(reason);
            Assert.DoesNotContain(pin, reason);
        }
    }

    private static string Hash(string pin) => PinHasher.Hash(pin, PinHasher.MinIterations);
}
