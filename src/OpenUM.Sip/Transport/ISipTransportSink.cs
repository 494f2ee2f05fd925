using System.Net;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transport;

// What a transport reports upwards. Calls arrive on the connection's read loop, one message at a time,
// so per-connection ordering is preserved; implementations must not block.
internal interface ISipTransportSink
{
    // Cheap admission on the bare source address, asked before anything is allocated for the peer (and, on TLS,
    // before any handshake byte); Refused => the connection is closed / the datagram dropped, and only reported.
    SipAddressAdmission AdmitAddress(IPAddress address, SipTransportKind kind);

    void OnRefusedAddress(IPEndPoint remote, SipTransportKind kind);

    // Admission and connection caps; false => the transport closes the connection / drops the datagram.
    bool Admit(SipConnectionInfo info);

    // Refused by admission; nothing about it is kept.
    void OnRefused(SipConnectionInfo info);

    // Refused by the connection budget (a rate or a cap, named by `limit`); nothing about it is kept.
    void OnLimited(IPEndPoint remote, SipTransportKind kind, string limit);

    // The stream filter (TLS handshake) failed or timed out.
    void OnHandshakeFailed(SipConnectionInfo info, Exception error);

    // An outgoing TLS handshake (we are the client) failed or timed out; the caller also gets the exception.
    void OnOutgoingHandshakeFailed(SipConnectionInfo info, Exception error);

    // The message may be lent (parsed by SipParser.TryParsePooled): valid until this returns, kept as message.Own().
    void OnMessage(SipConnection connection, SipMessage message);

    // The sink answers (when the partial message allows it); the transport then closes the connection
    // if the framing is lost (!CanContinue).
    void OnRejected(SipConnection connection, SipRejection rejection);

    void OnClosed(SipConnection connection);
}
