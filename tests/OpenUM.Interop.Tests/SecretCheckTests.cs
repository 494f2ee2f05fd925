using OpenUM.Interop.Tests.Harness;
using Xunit.Sdk;

namespace OpenUM.Interop.Tests;

/// <summary>The secret check finds a PIN written as a value and passes a coincidence inside a longer number.</summary>
public sealed class SecretCheckTests
{
    private const string Pin = "418527";

    [Theory]
    [InlineData("{\"Pin\":\"418527\"}")]
    [InlineData("digits 1000#418527# collected")]
    [InlineData("418527")]
    public void APinWrittenAsAValueFails(string text) =>
        Assert.Throws<FalseException>(() => SecretCheck.AssertAbsent(Pin, text, "the test text"));

    [Theory]
    [InlineData("{\"Time\":\"2026-12-07T06:12:34.4185271+00:00\"}")]
    [InlineData("ssrc=3418527990")]
    [InlineData("thumbprint A418527F")]
    public void ACoincidenceInALongerNumberPasses(string text) => SecretCheck.AssertAbsent(Pin, text, "the test text");

    [Fact]
    public void AnyOtherSecretFailsAnywhere() =>
        Assert.Throws<FalseException>(() => SecretCheck.AssertAbsent("openum-test", "Password=openum-test1;", "the test text"));
}
