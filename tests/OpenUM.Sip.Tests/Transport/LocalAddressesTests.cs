using System.Net;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Tests.Transport;

public sealed class LocalAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_is_local(string address) => Assert.True(LocalAddresses.IsLocal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("192.0.2.10")]   // TEST-NET-1 (RFC 5737): never assigned to a real interface
    [InlineData("2001:db8::10")] // the documentation prefix (RFC 3849)
    public void Documentation_addresses_are_not(string address) => Assert.False(LocalAddresses.IsLocal(IPAddress.Parse(address)));
}
