using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;

namespace OpenUM.Calls;

/// <summary>
/// The trusted-device list (ADM-1, TCP part): every configured IP gateway's addresses, FQDNs resolved.
/// Rebuilt on each configuration change and periodically (so DNS changes are followed); published as
/// one immutable map swapped atomically, so the admission check on each new connection is a lookup.
/// </summary>
public sealed class TrustedPeers(ILogger logger, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;
    private volatile FrozenDictionary<IPAddress, IpGateway> _byAddress = FrozenDictionary<IPAddress, IpGateway>.Empty;
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private long _publishedVersion = long.MinValue;

    /// <summary>The gateway a source address belongs to, or null when it is not trusted.</summary>
    public IpGateway? Find(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _byAddress.GetValueOrDefault(address);
    }

    /// <summary>Number of trusted addresses in the current list.</summary>
    public int Count => _byAddress.Count;

    /// <summary>
    /// Rebuilds the list from the configuration; unresolvable FQDNs are logged (1194) and skipped.
    /// Rebuilds run one at a time and an older snapshot never replaces a newer one, so a slow DNS
    /// answer cannot bring back a gateway that was removed meanwhile.
    /// </summary>
    public async Task RebuildAsync(ConfigurationSnapshot config, CancellationToken ct)
    {
        await _rebuild.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (config.Version < _publishedVersion) return;
            _byAddress = await BuildAsync(config, ct).ConfigureAwait(false);
            _publishedVersion = config.Version;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    private async Task<FrozenDictionary<IPAddress, IpGateway>> BuildAsync(ConfigurationSnapshot config, CancellationToken ct)
    {
        var map = new Dictionary<IPAddress, IpGateway>();
        foreach (var gateway in config.IpGateways)
        {
            IPAddress[] addresses;
            if (IPAddress.TryParse(gateway.Address, out var literal))
                addresses = [literal];
            else
            {
                try { addresses = await _resolve(gateway.Address, ct).ConfigureAwait(false); }
                catch (Exception e) when (e is SocketException or ArgumentException)
                {
                    CallEvents.InvalidPeerDnsHostName(logger, gateway.Name, gateway.Address, e.Message);
                    continue;
                }
            }
            foreach (var raw in addresses)
            {
                var address = raw.IsIPv4MappedToIPv6 ? raw.MapToIPv4() : raw;
                if (!FamilyAllowed(gateway.IPAddressFamily, address)) continue;
                if (map.TryGetValue(address, out var first))
                {
                    if (!ReferenceEquals(first, gateway))
                        CallEvents.DuplicatePeersFound(logger, first.Name, gateway.Name, address.ToString());
                    continue;
                }
                map[address] = gateway;
            }
        }
        if (map.Count == 0) CallEvents.NoPeersFound(logger);
        return map.ToFrozenDictionary();
    }

    private static bool FamilyAllowed(IPAddressFamily family, IPAddress address) => family switch
    {
        IPAddressFamily.IPv4Only => address.AddressFamily == AddressFamily.InterNetwork,
        IPAddressFamily.IPv6Only => address.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };
}
