using System.Net;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

/// <summary>
/// What <see cref="SipUserAgent.SendRequestAsync"/> sends outside any dialog: a non-INVITE request such as an
/// unsolicited NOTIFY (message waiting, RFC 3842), to <paramref name="Target"/> over <paramref name="Transport"/>.
/// </summary>
/// <param name="Target">Where the request goes (the gateway's address and port).</param>
/// <param name="Method">The method: a token, not INVITE, ACK or CANCEL.</param>
/// <param name="RequestUri">The Request-URI.</param>
/// <param name="From">Our address; a tag is added when it has none.</param>
/// <param name="To">The addressee (no tag: there is no dialog).</param>
/// <param name="Transport">TCP or TLS (a connection to the target is reused or opened), or UDP (needs our UDP listener).</param>
public sealed record OutgoingRequest(IPEndPoint Target, string Method, SipUri RequestUri, SipNameAddress From, SipNameAddress To,
    SipTransportKind Transport = SipTransportKind.Tcp)
{
    /// <summary>Headers added as given (Event, Subscription-State ...); Via, From, To, Call-ID, CSeq and Max-Forwards are the agent's.</summary>
    public IEnumerable<SipHeader>? Headers { get; init; }

    /// <summary>The body; sent with <see cref="ContentType"/>, which it needs.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Media type of <see cref="Body"/>, e.g. <see cref="MessageSummary.ContentType"/>.</summary>
    public string? ContentType { get; init; }

    /// <summary>
    /// TLS only: the name the server certificate must carry (the gateway's FQDN), handed to
    /// <see cref="SipUserAgentOptions.TlsClientOptions"/>; null = the Request-URI host.
    /// </summary>
    public string? TlsTargetName { get; init; }
}

/// <summary>Why a request got no response from the peer (<see cref="SipRequestResult.Failure"/>).</summary>
public enum SipRequestFailure
{
    /// <summary>A final response arrived: <see cref="SipRequestResult.Response"/> is set.</summary>
    None,

    /// <summary>No final response within 64*T1 (RFC 3261 Timer F); reported as 408.</summary>
    Timeout,

    /// <summary>The connection could not be opened or broke before the response; reported as 503.</summary>
    Transport,

    /// <summary>The TLS handshake failed (certificate refused on either side, or timed out); reported as 503.</summary>
    Tls,

    /// <summary>The subscription had already ended, so nothing was sent; reported as 481.</summary>
    SubscriptionEnded,
}

/// <summary>
/// The outcome of a non-INVITE request we sent: the final response (any status), or a failure without one, with the
/// status RFC 3261 §8.1.3.1 maps it to (408 timeout, 503 transport or TLS).
/// </summary>
public sealed record SipRequestResult(int StatusCode, string ReasonPhrase, SipMessage? Response)
{
    /// <summary>Why no response arrived; <see cref="SipRequestFailure.None"/> when one did.</summary>
    public SipRequestFailure Failure { get; init; }

    /// <summary>The exception behind a <see cref="SipRequestFailure.Transport"/> or <see cref="SipRequestFailure.Tls"/> failure to connect, if any.</summary>
    public Exception? Error { get; init; }

    /// <summary>A 2xx response arrived.</summary>
    public bool Succeeded => Response is not null && StatusCode is >= 200 and < 300;
}
