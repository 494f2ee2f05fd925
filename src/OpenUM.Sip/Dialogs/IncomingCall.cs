using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

/// <summary>A new INVITE waiting for an answer: ring, accept with SDP, or reject.</summary>
public sealed class IncomingCall
{
    private readonly SipUserAgent _agent;
    private readonly InviteServerTransaction _transaction;
    private readonly SipConnection _connection;
    private readonly CancellationTokenSource _cancelled = new();
    private readonly object _sync = new();
    private CancellationTokenRegistration _transportWatch;
    private CallState _state;

    internal IncomingCall(SipUserAgent agent, InviteServerTransaction transaction, SipConnection connection, SipMessage request, string localTag)
    {
        _agent = agent;
        _transaction = transaction;
        _connection = connection;
        Request = request;
        LocalTag = localTag;
        _transportWatch = connection.Closed.UnsafeRegister(static s => ((IncomingCall)s!).OnTransportLost(), this);
    }

    /// <summary>The INVITE.</summary>
    public SipMessage Request { get; }

    /// <summary>The connection it arrived on (with the TLS peer certificate, if any).</summary>
    public SipConnectionInfo Connection => _connection.Info;

    /// <summary>The SDP offer: the body when it is application/sdp, or the SDP part of a multipart/mixed body
    /// (SIP-I/SIP-T); empty when the INVITE carries none.</summary>
    public ReadOnlyMemory<byte> SdpOffer => SipBody.TryGetPart(Request, "application/sdp", out var sdp) ? sdp : default;

    /// <summary>Cancelled when CANCEL arrives (487 already sent) or the connection is lost before the answer.</summary>
    public CancellationToken Cancelled => _cancelled.Token;

    // The To tag of every response to this INVITE (and to its CANCEL, §9.2).
    internal string LocalTag { get; }

    /// <summary>Sends 180 Ringing (with our tag and Contact: an early dialog, §12.1.1).</summary>
    public void SendRinging()
    {
        lock (_sync)
        {
            if (_state != CallState.Pending) return;
        }
        var ringing = SipUserAgent.CreateResponse(Request, 180, null, LocalTag);
        ringing.Headers.Set("Contact", _agent.ContactFor(_connection, Request.RequestUri?.User));
        _transaction.SendProvisional(ringing.ToArray());
    }

    /// <summary>Answers 200 OK with Contact and the SDP answer; the 2xx is retransmitted until the ACK (§13.3.1.4).</summary>
    /// <remarks>After CANCEL or transport loss it returns a dialog that has already ended (Cancelled / TransportLost).</remarks>
    /// <exception cref="InvalidOperationException">The call was already accepted or rejected.</exception>
    public SipDialog Accept(ReadOnlyMemory<byte> sdpAnswer)
    {
        CallState state;
        lock (_sync)
        {
            state = _state;
            if (state is CallState.Accepted or CallState.Rejected)
            {
                throw new InvalidOperationException($"The call {Request.CallId} was already answered.");
            }
            if (state == CallState.Pending) _state = CallState.Accepted;
        }
        var dialog = SipDialog.ForUas(_agent, _connection, Request, LocalTag);
        if (state != CallState.Pending)
        {
            dialog.EndUnanswered(state == CallState.Cancelled ? SipDialogEndReason.Cancelled : SipDialogEndReason.TransportLost);
            return dialog;
        }
        _transportWatch.Dispose();
        var ok = dialog.BuildSuccess(Request, sdpAnswer, initial: true);
        var bytes = ok.ToArray();
        // In the table before the 200 leaves, so an immediate ACK or BYE finds it.
        dialog.Begin();
        dialog.StartAnswer(bytes, Request.CSeq!.Value.Number, initial: true, _connection);
        _transaction.SendFinal(200, bytes, LocalTag);
        return dialog;
    }

    /// <summary>Sends a final non-2xx response (300-699); ignored once the call was answered or cancelled.</summary>
    public void Reject(int statusCode, string? reason = null, IEnumerable<SipHeader>? extraHeaders = null)
    {
        if (statusCode is < 300 or > 699) throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A rejection is 300-699.");
        lock (_sync)
        {
            if (_state != CallState.Pending) return;
            _state = CallState.Rejected;
        }
        _transportWatch.Dispose();
        var response = SipUserAgent.CreateResponse(Request, statusCode, reason, LocalTag);
        if (extraHeaders is not null)
        {
            foreach (var h in extraHeaders) response.Headers.Add(h.Name, h.Value);
        }
        _transaction.SendFinal(statusCode, response.ToArray());
    }

    // The INVITE turned out to be a retransmission racing its original: this call never existed.
    internal void Discard() => _transportWatch.Dispose();

    // CANCEL matched our INVITE transaction; the 200 to the CANCEL is already queued.
    internal void OnCancel()
    {
        lock (_sync)
        {
            if (_state != CallState.Pending) return;
            _state = CallState.Cancelled;
        }
        _transportWatch.Dispose();
        var terminated = SipUserAgent.CreateResponse(Request, 487, "Request Terminated", LocalTag);
        _transaction.SendFinal(487, terminated.ToArray());
        _ = _cancelled.CancelAsync();
    }

    private void OnTransportLost()
    {
        lock (_sync)
        {
            if (_state != CallState.Pending) return;
            _state = CallState.TransportLost;
        }
        _transaction.OnTransportError();
        _ = _cancelled.CancelAsync();
    }

    private enum CallState { Pending, Accepted, Rejected, Cancelled, TransportLost }
}
