using OpenUM.Sip.Transactions;

namespace OpenUM.Sip;

// Requests arriving in the dialog, and the 2xx/ACK exchange of INVITEs (§13.2.2.4, §13.3.1.4).
public sealed partial class SipDialog
{
    private ReadOnlyMemory<byte> _pendingAnswer; // our 2xx to an INVITE, retransmitted until its ACK
    private uint _pendingAnswerCSeq;
    private bool _pendingIsInitial;
    private TimeSpan _retransmitInterval;
    private TimerWheelEntry? _retransmitTimer;
    private TimerWheelEntry? _ackTimer;
    private ReadOnlyMemory<byte> _ack; // UAC: our ACK, re-sent for each retransmitted 2xx

    // UAS: §13.3.1.4 — the 2xx is passed to the transport again at T1, 2*T1 ... capped at T2 until the ACK
    // arrives. The RFC makes this the UAS core's job on every transport (the INVITE server transaction is
    // gone after a 2xx and a downstream hop may be UDP), so it runs on TCP too. After 64*T1 without ACK
    // the session is ended with BYE.
    internal void StartAnswer(ReadOnlyMemory<byte> response, uint cseq, bool initial)
    {
        lock (_sync)
        {
            if (_ended) return;
            _pendingAnswer = response;
            _pendingAnswerCSeq = cseq;
            _pendingIsInitial = initial;
            var timers = _agent.Timers;
            _retransmitInterval = timers.T1;
            _retransmitTimer = _agent.Wheel.Schedule(_retransmitInterval, static s => ((SipDialog)s!).OnRetransmitTimer(), this);
            _ackTimer = _agent.Wheel.Schedule(timers.SixtyFourT1, static s => ((SipDialog)s!).OnAckTimeout(), this);
        }
    }

    private void OnRetransmitTimer()
    {
        ReadOnlyMemory<byte> resend;
        lock (_sync)
        {
            if (_pendingAnswer.IsEmpty || _ended) return;
            resend = _pendingAnswer;
            _retransmitInterval = _agent.Timers.Doubled(_retransmitInterval);
            _retransmitTimer = _agent.Wheel.Schedule(_retransmitInterval, static s => ((SipDialog)s!).OnRetransmitTimer(), this);
        }
        _connection.Send(resend);
    }

    private void OnAckTimeout()
    {
        lock (_sync)
        {
            if (_pendingAnswer.IsEmpty || _ended) return;
            _pendingAnswer = default;
        }
        SipLog.AckTimeout(_agent.Logger, CallId, _connection.Info.Remote);
        StartBye(SipDialogEndReason.AckTimeout);
    }

    // Caller holds _sync.
    private void StopAnswerTimers()
    {
        _pendingAnswer = default;
        _retransmitTimer?.Cancel();
        _retransmitTimer = null;
        _ackTimer?.Cancel();
        _ackTimer = null;
    }

    internal void OnAck(SipMessage ack)
    {
        bool initial;
        lock (_sync)
        {
            if (_pendingAnswer.IsEmpty || ack.CSeq?.Number != _pendingAnswerCSeq) return;
            initial = _pendingIsInitial;
            StopAnswerTimers();
        }
        if (initial) _confirmed.TrySetResult();
    }

    // UAC: §13.2.2.4 — ACK the 2xx in a transaction of its own (new branch, same CSeq number).
    internal void SendAck()
    {
        SipMessage ack;
        lock (_sync)
        {
            (ack, _) = BuildRequest("ACK");
            _ack = ack.ToArray();
        }
        _connection.Send(_ack);
        _confirmed.TrySetResult();
    }

    internal void OnSuccessRetransmission()
    {
        ReadOnlyMemory<byte> ack;
        lock (_sync) ack = _ack;
        if (!ack.IsEmpty) _connection.Send(ack);
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
                End(SipDialogEndReason.RemoteBye, removeNow: !_byeStarted);
                break;
            case "INVITE":
                OnReInviteRequest(request, tx);
                break;
            case "INFO":
                Respond(tx, request, 200, null);
                RaiseInfo(request);
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
        ReadOnlyMemory<byte>? answer;
        try
        {
            answer = OnReInvite?.Invoke(request);
        }
        catch (Exception ex)
        {
            SipLog.MessageHandlingFailed(_agent.Logger, ex, _connection.Info.Id, _connection.Info.Remote);
            Respond(tx, request, 500, "Server Internal Error");
            return;
        }
        if (answer is null)
        {
            Respond(tx, request, 488, "Not Acceptable Here");
            return;
        }
        var ok = BuildSuccess(request, answer.Value, toTag: null);
        var bytes = ok.ToArray();
        StartAnswer(bytes, request.CSeq!.Value.Number, initial: false);
        if (tx is InviteServerTransaction ist) ist.SendFinal(200, bytes);
    }

    // The 2xx to an INVITE: Contact, capabilities and the SDP body (§13.3.1.4).
    internal SipMessage BuildSuccess(SipMessage invite, ReadOnlyMemory<byte> sdp, string? toTag)
    {
        var ok = SipUserAgent.CreateResponse(invite, 200, null, toTag);
        foreach (var rr in invite.Headers.GetAll("Record-Route")) ok.Headers.Add("Record-Route", rr);
        ok.Headers.Set("Contact", _agent.ContactFor(_connection, _contactUser));
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
            SipLog.MessageHandlingFailed(_agent.Logger, ex, _connection.Info.Id, _connection.Info.Remote);
        }
    }
}
