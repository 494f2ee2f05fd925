using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;

namespace OpenUM.Calls;

/// <summary>
/// The trusted-device list (ADM-1): every configured IP gateway's addresses, FQDNs resolved, and apart from them
/// the addresses that may start a TLS handshake: those of the gateways of secured dial plans and this server's
/// own (loopback, and its FQDN's addresses, so a local test call over mutual TLS works). Rebuilt on each
/// configuration change and periodically (so DNS changes are followed); published as one immutable state
/// swapped atomically, so the admission check on each new connection is a lookup.
/// </summary>
public sealed class TrustedPeers(ILogger logger, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null, string? serverFqdn = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve = resolve ?? Dns.GetHostAddressesAsync;
    private volatile Peers _peers = new(FrozenDictionary<IPAddress, IpGateway>.Empty, Loopback);
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private long _publishedVersion = long.MinValue;

    private static readonly FrozenSet<IPAddress> Loopback = new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }.ToFrozenSet();

    private sealed record Peers(FrozenDictionary<IPAddress, IpGateway> ByAddress, FrozenSet<IPAddress> TlsAddresses);

    /// <summary>The gateway a source address belongs to, or null when it is not trusted.</summary>
    public IpGateway? Find(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _peers.ByAddress.GetValueOrDefault(address);
    }

    /// <summary>
    /// True when a TLS handshake from this address is worth starting: it is an address of a gateway linked to a
    /// SipSecured or Secured dial plan, or this server's own. Anyone else is refused before any TLS byte.
    /// </summary>
    public bool MayStartTls(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _peers.TlsAddresses.Contains(address);
    }

    /// <summary>Number of trusted addresses in the current list.</summary>
    public int Count => _peers.ByAddress.Count;

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
            _peers = await BuildAsync(config, ct).ConfigureAwait(false);
            _publishedVersion = config.Version;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    private async Task<Peers> BuildAsync(ConfigurationSnapshot config, CancellationToken ct)
    {
        var map = new Dictionary<IPAddress, IpGateway>();
        var tls = new HashSet<IPAddress>(Loopback);
        foreach (var gateway in config.IpGateways)
        {
            if (await ResolveAsync(gateway.Address, gateway.Name, ct).ConfigureAwait(false) is not { } addresses) continue;
            bool secured = config.DialPlansForGateway(gateway.Name).Any(p => p.IsSecured);
            foreach (var raw in addresses)
            {
                var address = raw.IsIPv4MappedToIPv6 ? raw.MapToIPv4() : raw;
                if (!FamilyAllowed(gateway.IPAddressFamily, address)) continue;
                if (secured) tls.Add(address);
                if (map.TryGetValue(address, out var first))
                {
                    if (!ReferenceEquals(first, gateway))
                        CallEvents.DuplicatePeersFound(logger, first.Name, gateway.Name, address.ToString());
                    continue;
                }
                map[address] = gateway;
            }
        }
        if (serverFqdn is not null && await ResolveAsync(serverFqdn, null, ct).ConfigureAwait(false) is { } own)
            foreach (var address in own) tls.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        if (map.Count == 0) CallEvents.NoPeersFound(logger);
        return new Peers(map.ToFrozenDictionary(), tls.ToFrozenSet());
    }

    // A gateway name that does not resolve is reported (1194) and skipped; our own name failing is not news.
    private async Task<IPAddress[]?> ResolveAsync(string address, string? gateway, CancellationToken ct)
    {
        if (IPAddress.TryParse(address, out var literal)) return [literal];
        try
        {
            return await _resolve(address, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            if (gateway is not null) CallEvents.InvalidPeerDnsHostName(logger, gateway, address, e.Message);
            return null;
        }
    }

    private static bool FamilyAllowed(IPAddressFamily family, IPAddress address) => family switch
    {
        IPAddressFamily.IPv4Only => address.AddressFamily == AddressFamily.InterNetwork,
        IPAddressFamily.IPv6Only => address.AddressFamily == AddressFamily.InterNetworkV6,
        _ => true,
    };
}
