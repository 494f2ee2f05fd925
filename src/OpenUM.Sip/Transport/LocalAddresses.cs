using System.Net;
using System.Net.NetworkInformation;

namespace OpenUM.Sip.Transport;

/// <summary>Whether an address is this machine's own: loopback, or one assigned to one of its interfaces.</summary>
public static class LocalAddresses
{
    /// <summary>True for a loopback address or an address of this host's interfaces (IPv4-mapped IPv6 counts as IPv4).</summary>
    public static bool IsLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        // Asked only when a certificate names this server (a local test call), never per packet.
        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Any(u => u.Address.Equals(address));
    }
}
