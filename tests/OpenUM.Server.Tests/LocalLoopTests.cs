using System.Net;

namespace OpenUM.Server.Tests;

/// <summary>
/// The server's own name is accepted as a peer only for its local loop (test-connectivity --secured): its own
/// certificate, from this machine. A certificate that merely names the server, or the server's own from another
/// host, is not the server.
/// </summary>
public sealed class LocalLoopTests
{
    private const string Own = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678";
    private static bool OnlyLoopback(IPAddress a) => IPAddress.IsLoopback(a);

    [Fact]
    public void The_own_certificate_from_this_machine_is_the_local_loop()
    {
        Assert.True(ServerTls.IsLocalLoop(IPAddress.Loopback, Own, Own, OnlyLoopback));
        Assert.True(ServerTls.IsLocalLoop(IPAddress.Loopback, Own.ToLowerInvariant(), Own, OnlyLoopback));
    }

    [Fact]
    public void The_own_certificate_from_another_host_is_not()
    {
        Assert.False(ServerTls.IsLocalLoop(IPAddress.Parse("192.0.2.10"), Own, Own, OnlyLoopback));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000")]
    [InlineData("")]
    [InlineData(null)]
    public void Another_certificate_naming_the_server_is_not_even_from_loopback(string? thumbprint)
    {
        Assert.False(ServerTls.IsLocalLoop(IPAddress.Loopback, thumbprint, Own, OnlyLoopback));
    }
}
