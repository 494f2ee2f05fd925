using System.Net;
using System.Net.Sockets;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.MessageWaiting;

/// <summary>
/// Where a mailbox's message-waiting state goes without a subscription (as Exchange UM did): the gateways of its dial
/// plan that are enabled and have MessageWaitingIndicatorAllowed, in configuration order, and the NOTIFY for each.
/// </summary>
internal static class MwiTargets
{
    /// <summary>What an unsolicited NOTIFY says about its own lifetime (RFC 6665 makes Subscription-State mandatory; "active" as practice).</summary>
    public const string UnsolicitedState = "active;expires=3600";

    /// <summary>The gateways that may carry this mailbox's NOTIFY; empty when none may (the option is off everywhere).</summary>
    public static IReadOnlyList<IpGateway> GatewaysFor(ConfigurationSnapshot config, Mailbox mailbox) =>
        config.GatewaysForDialPlan(mailbox.DialPlan).Where(g => g.Status == UmStatus.Enabled && g.MessageWaitingIndicatorAllowed).ToArray();

    /// <summary>
    /// The user part the gateway knows the mailbox by: its extension, or on a SIP-URI dial plan its SIP address
    /// (user@host, for the PBX to route); null when a SIP-URI mailbox has no SIP address.
    /// </summary>
    public static string? AddressOf(Mailbox mailbox, DialPlan plan) =>
        plan.UriType == UmUriType.SipName ? Mailbox.SipAddressOf(mailbox.SipUri) : mailbox.Extension;

    /// <summary>Message-Account (RFC 3842 §5.2): the mailbox's SIP URI on SIP-URI plans, else its extension at this server.</summary>
    public static string? AccountOf(Mailbox mailbox, DialPlan plan, string serverFqdn) =>
        plan.UriType == UmUriType.SipName
            ? (Mailbox.SipAddressOf(mailbox.SipUri) is { } sip ? "sip:" + sip : null)
            : "sip:" + mailbox.Extension + "@" + serverFqdn;

    /// <summary>The body for these counts (Messages-Waiting yes iff new messages).</summary>
    public static byte[] Body(MessageCounts counts, string? account) =>
        MessageSummary.ForVoice((uint)Math.Max(0, counts.New), (uint)Math.Max(0, counts.Old), account).ToArray();

    /// <summary>
    /// The unsolicited NOTIFY to <paramref name="gateway"/> at <paramref name="target"/>: Request-URI and To name the mailbox
    /// at the gateway (the SIP address itself on SIP-URI plans), over mutual TLS to the gateway's FQDN on secured plans.
    /// </summary>
    public static OutgoingRequest Notify(IPEndPoint target, IpGateway gateway, DialPlan plan, string address, string serverFqdn, byte[] body)
    {
        bool secured = plan.IsSecured;
        string host = gateway.HasIPAddress && target.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{target.Address}]" : gateway.Address;
        KeyValuePair<string, string?>[] transport = [new("transport", secured ? "tls" : "tcp")];
        SipUri requestUri, to;
        int at = address.LastIndexOf('@');
        if (at > 0)
        {
            // SIP-URI plan: the user's own address; the connection still goes to the gateway (target, TLS name).
            requestUri = SipUri.Create("sip", address[..at], address[(at + 1)..], null, transport);
            to = SipUri.Create("sip", address[..at], address[(at + 1)..]);
        }
        else
        {
            requestUri = SipUri.Create("sip", address, host, target.Port, transport);
            to = SipUri.Create("sip", address, host);
        }
        return new OutgoingRequest(target, "NOTIFY", requestUri, new SipNameAddress(SipUri.Create("sip", "openum", serverFqdn)),
            new SipNameAddress(to), secured ? SipTransportKind.Tls : SipTransportKind.Tcp)
        {
            TlsTargetName = secured ? gateway.Address : null,
            Headers = [new SipHeader("Event", MessageSummary.EventPackage), new SipHeader("Subscription-State", UnsolicitedState)],
            Body = body,
            ContentType = MessageSummary.ContentType,
        };
    }

    /// <summary>
    /// The gateway's endpoint for this plan's security (its port or the mode default), or a reason why there is none:
    /// a secured plan's gateway needs an FQDN (its certificate is checked against it), a name must resolve to an
    /// address of the gateway's IPAddressFamily.
    /// </summary>
    public static async Task<(IPEndPoint? Target, string? Reason)> ResolveAsync(IpGateway gateway, DialPlan plan,
        Func<string, CancellationToken, Task<IPAddress[]>> resolve, CancellationToken ct)
    {
        int port = gateway.EffectivePort(plan.IsSecured);
        if (plan.IsSecured && gateway.HasIPAddress)
            return (null, $"dial plan {plan.Name} is {plan.VoipSecurity} and the gateway has the IP address {gateway.Address}: mutual TLS checks an FQDN (openum gateway set {gateway.Name} --address FQDN)");
        if (IPAddress.TryParse(gateway.Address, out var literal)) return (new IPEndPoint(literal, port), null);
        try
        {
            var addresses = await resolve(gateway.Address, ct).ConfigureAwait(false);
            var chosen = gateway.IPAddressFamily switch
            {
                IPAddressFamily.IPv4Only => addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork),
                IPAddressFamily.IPv6Only => addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6),
                _ => addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6) ?? addresses.FirstOrDefault(),
            };
            return chosen is null ? (null, $"{gateway.Address} has no address of family {gateway.IPAddressFamily}") : (new IPEndPoint(chosen, port), null);
        }
        catch (SocketException e)
        {
            return (null, $"{gateway.Address} does not resolve: {e.Message}");
        }
    }
}
