using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

// Requests arriving in the dialog, and the 2xx/ACK exchange of INVITEs (§13.2.2.4, §13.3.1.4).
public sealed partial class SipDialog
{
    private ReadOnlyMemory<byte> _pendingAnswer; // our 2xx to an INVITE, retransmitted until its ACK
    private SipConnection? _pendingConnection;   // where that INVITE came from: the 2xx goes back there (§18.2.2)
    private uint _pendingAnswerCSeq;
    private bool _pendingIsInitial;
    private bool _pendingIsOffer;                // the 2xx carries our offer (offerless re-INVITE); the ACK the answer
    private TimeSpan _retransmitInterval;
    private TimerWheelEntry? _retransmitTimer;
    private TimerWheelEntry? _ackTimer;
    private SipMessage? _ack;                    // UAC: our ACK, re-sent for each retransmitted 2xx
    private ReadOnlyMemory<byte> _ackBytes;      // _ack as sent on _ackConnection (its Via names that connection)
    private SipConnection? _ackConnection;

    // UAS: §13.3.1.4 — the 2xx is passed to the transport again at T1, 2*T1 ... capped at T2 until the ACK
    // arrives. The RFC makes this the UAS core's job on every transport (the INVITE server transaction is
    // gone after a 2xx and a downstream hop may be UDP), so it runs on TCP too. After 64*T1 without ACK
    // the session is ended with BYE.
    internal void StartAnswer(ReadOnlyMemory<byte> response, uint cseq, bool initial, SipConnection connection, bool isOffer = false)
    {
        lock (_sync)
        {
            if (_ended) return;
            _pendingAnswer = response;
            _pendingConnection = connection;
            _pendingAnswerCSeq = cseq;
            _pendingIsInitial = initial;
            _pendingIsOffer = isOffer;
            var timers = _agent.Timers;
            _retransmitInterval = timers.T1;
            _retransmitTimer = _agent.Wheel.Schedule(_retransmitInterval, static s => ((SipDialog)s!).OnRetransmitTimer(), this);
            _ackTimer = _agent.Wheel.Schedule(timers.SixtyFourT1, static s => ((SipDialog)s!).OnAckTimeout(), this);
        }
    }

    private void OnRetransmitTimer()
    {
        ReadOnlyMemory<byte> resend;
        SipConnection connection;
        lock (_sync)
        {
            if (_pendingAnswer.IsEmpty || _ended) return;
            resend = _pendingAnswer;
            connection = _pendingConnection ?? _connection;
            _retransmitInterval = _agent.Timers.Doubled(_retransmitInterval);
            _retransmitTimer = _agent.Wheel.Schedule(_retransmitInterval, static s => ((SipDialog)s!).OnRetransmitTimer(), this);
        }
        connection.Send(resend);
    }

    // Timer H for our 2xx: end the session with BYE, also when a BYE was waiting for this ACK (§15).
    private void OnAckTimeout()
    {
        lock (_sync)
        {
            if (_pendingAnswer.IsEmpty || _ended || _bye == ByeState.Sending) return;
            StopAnswerTimers();
            _bye = ByeState.Sending;
        }
        SipLog.AckTimeout(_agent.Logger, CallId, CurrentConnection.Info.Remote);
        SendBye(SipDialogEndReason.AckTimeout);
    }

    // Caller holds _sync.
    private void StopAnswerTimers()
    {
        _pendingAnswer = default;
        _pendingConnection = null;
        _retransmitTimer?.Cancel();
        _retransmitTimer = null;
        _ackTimer?.Cancel();
        _ackTimer = null;
    }

    // The ACK of our 2xx (an SDP answer in it, to an offerless re-INVITE, is not used). A BYE that waited for
    // it goes out now.
    internal void OnAck(SipMessage ack)
    {
        bool initial;
        var bye = false;
        var reason = SipDialogEndReason.LocalBye;
        lock (_sync)
        {
            if (_pendingAnswer.IsEmpty || ack.CSeq?.Number != _pendingAnswerCSeq) return;
            initial = _pendingIsInitial;
            StopAnswerTimers();
            if (_bye == ByeState.AwaitingAck)
            {
                _bye = ByeState.Sending;
                reason = _byeReason;
                bye = true;
            }
        }
        if (initial) _confirmed.TrySetResult();
        if (bye) SendBye(reason);
    }

    // UAC: §13.2.2.4 — ACK the 2xx in a transaction of its own (new branch, same CSeq number).
    internal void SendAck()
    {
        lock (_sync) (_ack, _) = BuildRequest("ACK", _connection);
        TransmitAck();
        _confirmed.TrySetResult();
    }

    internal void OnSuccessRetransmission() => TransmitAck();

    // Like any in-dialog request, the ACK goes over a new connection to the remote target once ours closed.
    private void TransmitAck()
    {
        var connection = CurrentConnection;
        if (connection.IsClosed)
        {
            _ = TransmitAckOnNewConnectionAsync();
            return;
        }
        var bytes = AckBytesFor(connection);
        if (!bytes.IsEmpty) connection.Send(bytes);
    }

    private async Task TransmitAckOnNewConnectionAsync()
    {
        // Without a connection the ACK is lost; the UAS then ends the call itself (§13.3.1.4).
        if (await ReconnectAsync().ConfigureAwait(false) is not { } connection) return;
        var bytes = AckBytesFor(connection);
        if (!bytes.IsEmpty) connection.Send(bytes);
    }

    private ReadOnlyMemory<byte> AckBytesFor(SipConnection connection)
    {
        lock (_sync)
        {
            if (_ack is null) return default;
            if (!ReferenceEquals(_ackConnection, connection))
            {
                _ack.Headers.Set("Via", SipUserAgent.ViaFor(connection, SipIds.NewBranch()));
                _ackBytes = _ack.ToArray();
                _ackConnection = connection;
            }
            return _ackBytes;
        }
    }

    // A request inside the dialog, with its server transaction (§12.2.2).
    internal void OnRequest(SipMessage request, SipTransaction tx)
    {
        var cseq = request.CSeq!.Value.Number;
        var method = request.Method;
        lock (_sync)
        {
            if (_ended && method != "BYE")
            {
                Respond(tx, request, 481, "Call/Transaction Does Not Exist");
                return;
            }
            // §12.2.2: a lower CSeq than the last one is out of order.
            if (_remoteCSeq != 0 && cseq < _remoteCSeq)
            {
                Respond(tx, request, 500, "CSeq Out of Order");
                return;
            }
            _remoteCSeq = cseq;
        }
        switch (method)
        {
            case "BYE":
                Respond(tx, request, 200, null);
                // Our own BYE, once sent, releases the dialog on its response; one still waiting for the ACK is moot.
                bool byeSending;
                lock (_sync) byeSending = _bye == ByeState.Sending;
                End(SipDialogEndReason.RemoteBye, removeNow: !byeSending);
                if (!byeSending) _byeDone.TrySetResult();
                break;
            case "INVITE":
                OnReInviteRequest(request, tx);
                break;
            case "UPDATE":
                OnUpdateRequest(request, tx);
                break;
            case "INFO":
                Respond(tx, request, 200, null);
                RaiseInfo(request);
                break;
            case "NOTIFY":
                OnNotifyRequest(request, tx);
                break;
            case "OPTIONS":
                var ok = SipUserAgent.CreateResponse(request, 200, null, null);
                _agent.AddCapabilities(ok);
                SipUserAgent.SendFinal(tx, ok);
                break;
            default:
                Respond(tx, request, 501, "Not Implemented");
                break;
        }
    }

    private void OnReInviteRequest(SipMessage request, SipTransaction tx)
    {
        lock (_sync)
        {
            // An offer while our previous answer is unacknowledged: "glare"-like, retry later (§14.2).
            if (!_pendingAnswer.IsEmpty)
            {
                Respond(tx, request, 491, "Request Pending");
                return;
            }
            if (request.Contact?.Uri is { } target) _remoteTarget = target; // §12.2.2 target refresh
        }
        // Without SDP the re-INVITE asks for our offer (§14.2): it goes in the 2xx, the answer comes in the ACK.
        var hasOffer = SipBody.TryGetPart(request, "application/sdp", out _);
        ReadOnlyMemory<byte>? sdp;
        try
        {
            sdp = hasOffer ? OnReInvite?.Invoke(request) : OnOfferlessReInvite?.Invoke();
        }
        catch (Exception ex)
        {
            SipLog.MessageHandlingFailed(_agent.Logger, ex, tx.Connection.Info.Id, tx.Connection.Info.Remote);
            Respond(tx, request, 500, "Server Internal Error");
            return;
        }
        // An offerless re-INVITE needs an offer in the 2xx: an empty one is no better than none.
        if (sdp is null || (!hasOffer && sdp.Value.IsEmpty))
        {
            Respond(tx, request, 488, "Not Acceptable Here");
            return;
        }
        var ok = BuildSuccess(request, sdp.Value, initial: false);
        var bytes = ok.ToArray();
        StartAnswer(bytes, request.CSeq!.Value.Number, initial: false, tx.Connection, isOffer: !hasOffer);
        if (tx is InviteServerTransaction ist) ist.SendFinal(200, bytes, LocalTag);
    }

    // RFC 3311: UPDATE refreshes the target and may carry an offer, answered in its 200 like a re-INVITE's;
    // without SDP (a session-timer refresh) it is a plain 200.
    private void OnUpdateRequest(SipMessage request, SipTransaction tx)
    {
        var hasOffer = SipBody.TryGetPart(request, "application/sdp", out _);
        bool glare;
        lock (_sync)
        {
            // §5.2: an offer while ours (in the 2xx of an offerless re-INVITE) still waits for its answer.
            glare = hasOffer && _pendingIsOffer && !_pendingAnswer.IsEmpty;
            if (!glare && request.Contact?.Uri is { } target) _remoteTarget = target;
        }
        if (glare)
        {
            Respond(tx, request, 491, "Request Pending");
            return;
        }
        ReadOnlyMemory<byte> answer = default;
        if (hasOffer)
        {
            ReadOnlyMemory<byte>? sdp;
            try
            {
                sdp = OnReInvite?.Invoke(request);
            }
            catch (Exception ex)
            {
                SipLog.MessageHandlingFailed(_agent.Logger, ex, tx.Connection.Info.Id, tx.Connection.Info.Remote);
                Respond(tx, request, 500, "Server Internal Error");
                return;
            }
            if (sdp is null)
            {
                Respond(tx, request, 488, "Not Acceptable Here");
                return;
            }
            answer = sdp.Value;
        }
        SipUserAgent.SendFinal(tx, BuildSuccess(request, answer, initial: false));
    }

    // The 2xx to an INVITE (or UPDATE): Contact, capabilities and the SDP body (§13.3.1.4). The one to the initial
    // INVITE carries our tag: its To is the dialog's local address (§8.2.6.2, §12.1.1).
    internal SipMessage BuildSuccess(SipMessage invite, ReadOnlyMemory<byte> sdp, bool initial)
    {
        var ok = SipUserAgent.CreateResponse(invite, 200, null, null);
        if (initial) ok.Headers.Set(SipHeaderNames.To, _localHeader);
        var headers = invite.Headers;
        for (var i = headers.IndexOf("Record-Route"); i >= 0; i = headers.IndexOf("Record-Route", i + 1))
        {
            ok.Headers.AddCopy(headers, i, shareBytes: !invite.IsPooled);
        }
        ok.Headers.Set("Contact", _agent.ContactFor(CurrentConnection, _contactUser));
        ok.Headers.Set("Allow", _agent.AllowHeader);
        ok.Headers.Set("Supported", _agent.SupportedHeader);
        ok.Headers.Set("User-Agent", _agent.Options.UserAgentHeader);
        if (!sdp.IsEmpty)
        {
            ok.Headers.Set("Content-Type", "application/sdp");
            ok.Body = sdp;
        }
        return ok;
    }

    private static void Respond(SipTransaction tx, SipMessage request, int status, string? reason) =>
        SipUserAgent.SendFinal(tx, SipUserAgent.CreateResponse(request, status, reason, null));

    private void RaiseInfo(SipMessage request)
    {
        try
        {
            InfoReceived?.Invoke(request);
        }
        catch (Exception ex)
        {
            SipLog.MessageHandlingFailed(_agent.Logger, ex, CurrentConnection.Info.Id, CurrentConnection.Info.Remote);
        }
    }
}
