using System.Net;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

/// <summary>What <see cref="SipUserAgent.InviteAsync"/> sends: target, URIs and the SDP offer.</summary>
public sealed record OutgoingCallRequest(IPEndPoint Target, SipUri RequestUri, SipNameAddress From,
    SipNameAddress To, ReadOnlyMemory<byte> SdpOffer, SipTransportKind Transport = SipTransportKind.Tcp,
    IEnumerable<SipHeader>? ExtraHeaders = null)
{
    /// <summary>
    /// TLS only: the name the server certificate must carry (the gateway's FQDN), handed to
    /// <see cref="SipUserAgentOptions.TlsClientOptions"/>; null = the Request-URI host.
    /// </summary>
    public string? TlsTargetName { get; init; }
}

/// <summary>The final answer to an outgoing INVITE; <see cref="Dialog"/> is set for 2xx.</summary>
/// <remarks>408 with no response means Timer B fired; 503 with no response means the transport failed.</remarks>
public sealed record OutgoingCallResult(int StatusCode, string ReasonPhrase, SipMessage? FinalResponse,
    SipDialog? Dialog);
