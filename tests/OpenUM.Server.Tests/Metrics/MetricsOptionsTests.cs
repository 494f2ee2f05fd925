using System.Net;
using OpenUM.Server.Metrics;

namespace OpenUM.Server.Tests.Metrics;

/// <summary>--metrics-listen and --metrics-tls values.</summary>
public sealed class MetricsOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1", 9464)]
    [InlineData("0.0.0.0:9464", "0.0.0.0", 9464)]
    [InlineData("[::1]:9464", "::1", 9464)]
    [InlineData("192.0.2.7:0", "192.0.2.7", 0)]
    [InlineData("9464", "127.0.0.1", 9464)]      // a bare port stays on loopback
    public void ListenTakesAddressAndPortOrABarePortOnLoopback(string text, string address, int port)
    {
        var endPoint = MetricsOptions.TryParseListen(text, out string? error);
        Assert.Null(error);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), endPoint);
    }

    [Theory]
    [InlineData("127.0.0.1")]        // no port: not "any port"
    [InlineData("::1")]
    [InlineData("localhost:9464")]   // names would need DNS at start
    [InlineData("127.0.0.1:70000")]
    [InlineData("70000")]
    [InlineData("-1")]
    [InlineData("")]
    public void ListenRefusesWhatIsNotAddressAndPort(string text)
    {
        Assert.Null(MetricsOptions.TryParseListen(text, out string? error));
        Assert.Contains("is not ADDRESS:PORT", error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9464", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("False", false)]
    public void TlsIsTrueOrFalse(string text, bool expected) => Assert.Equal(expected, MetricsOptions.TryParseTls(text, out _));

    [Fact]
    public void TlsRefusesAnythingElse()
    {
        Assert.Null(MetricsOptions.TryParseTls("yes", out string? error));
        Assert.Equal("'yes' is not true or false.", error);
    }
}
