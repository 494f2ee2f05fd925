using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Transactions;

// INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) with the "Accepted" state of RFC 6026 §7.2:
// 2xx responses (and their retransmissions, until Timer M) go to the TU, which sends the ACK itself;
// a 300-699 final is acknowledged here (§17.1.1.3).
internal sealed class InviteClientTransaction : SipClientTransaction
{
    private TimerWheelEntry? _timerA;
    private TimerWheelEntry? _timerB;
    private TimerWheelEntry? _timerD;
    private TimerWheelEntry? _timerM;
    private TimeSpan _intervalA;
    private ReadOnlyMemory<byte> _ack;

    public InviteClientTransaction(ISipTransactionHost host, string key, SipConnection connection, SipMessage request,
        ReadOnlyMemory<byte> requestBytes, ISipClientTransactionUser user)
        : base(host, key, connection, request, requestBytes, user)
    {
    }

    public SipClientTransactionState State { get; private set; } = SipClientTransactionState.Calling;

    protected override void OnStart()
    {
        lock (Sync)
        {
            if (State != SipClientTransactionState.Calling) return;
            var timers = Host.Timers;
            // Timer A retransmits over unreliable transports only (§17.1.1.2); Timer B bounds the wait on all.
            if (!Reliable)
            {
                _intervalA = timers.T1;
                _timerA = Schedule(_intervalA, static s => ((InviteClientTransaction)s!).OnTimerA());
            }
            _timerB = Schedule(timers.SixtyFourT1, static s => ((InviteClientTransaction)s!).OnTimerB());
        }
        Send(RequestBytes);
    }

    public override void OnResponse(SipMessage response)
    {
        var status = response.StatusCode;
        var deliver = Delivery.None;
        var terminateNow = false;
        ReadOnlyMemory<byte> ack = default;
        lock (Sync)
        {
            switch (State)
            {
                case SipClientTransactionState.Calling or SipClientTransactionState.Proceeding when status < 200:
                    State = SipClientTransactionState.Proceeding;
                    Stop(ref _timerA);
                    deliver = Delivery.Provisional;
                    break;
                case SipClientTransactionState.Calling or SipClientTransactionState.Proceeding when status < 300:
                    State = SipClientTransactionState.Accepted;
                    Stop(ref _timerA);
                    Stop(ref _timerB);
                    _timerM = Schedule(Host.Timers.SixtyFourT1, static s => ((InviteClientTransaction)s!).OnTimerEnd());
                    deliver = Delivery.Final;
                    break;
                case SipClientTransactionState.Calling or SipClientTransactionState.Proceeding:
                    State = SipClientTransactionState.Completed;
                    Stop(ref _timerA);
                    Stop(ref _timerB);
                    _ack = ack = SipRequestBuilder.AckForNonSuccess(Request, response).ToArray();
                    var timerD = Host.Timers.TimerD(Reliable);
                    if (timerD > TimeSpan.Zero) _timerD = Schedule(timerD, static s => ((InviteClientTransaction)s!).OnTimerEnd());
                    else terminateNow = true;
                    deliver = Delivery.Final;
                    break;
                case SipClientTransactionState.Accepted when status is >= 200 and < 300:
                    deliver = Delivery.Final; // retransmitted 2xx, the TU re-sends its ACK
                    break;
                case SipClientTransactionState.Completed when status >= 300:
                    ack = _ack; // retransmitted final: ACK again
                    break;
            }
        }
        if (!ack.IsEmpty) Send(ack);
        if (terminateNow) Terminate();
        if (deliver == Delivery.Provisional) User.OnProvisional(this, response);
        else if (deliver == Delivery.Final) User.OnFinal(this, response);
    }

    private void OnTimerA()
    {
        lock (Sync)
        {
            if (State != SipClientTransactionState.Calling) return;
            // Timer A doubles without the T2 cap; Timer B ends it (§17.1.1.2).
            _intervalA *= 2;
            _timerA = Schedule(_intervalA, static s => ((InviteClientTransaction)s!).OnTimerA());
        }
        Send(RequestBytes);
    }

    private void OnTimerB()
    {
        if (!MarkFailed()) return;
        Terminate();
        User.OnFailed(this, 408, "Request Timeout");
    }

    private void OnTimerEnd() => Terminate();

    protected override bool MarkFailed()
    {
        lock (Sync)
        {
            if (State is not (SipClientTransactionState.Calling or SipClientTransactionState.Proceeding)) return false;
            State = SipClientTransactionState.Terminated;
            return true;
        }
    }

    // Used by the UAC after sending CANCEL: if no final arrives within 64*T1 the INVITE is abandoned (§9.1).
    public void ArmCancelGuard()
    {
        lock (Sync)
        {
            if (State is not (SipClientTransactionState.Calling or SipClientTransactionState.Proceeding)) return;
            Stop(ref _timerB);
            _timerB = Schedule(Host.Timers.SixtyFourT1, static s => ((InviteClientTransaction)s!).OnTimerB());
        }
    }

    protected override void OnTerminated()
    {
        StopTransportWatch();
        lock (Sync)
        {
            State = SipClientTransactionState.Terminated;
            Stop(ref _timerA);
            Stop(ref _timerB);
            Stop(ref _timerD);
            Stop(ref _timerM);
        }
    }

    private enum Delivery { None, Provisional, Final }
}

// States of both client transactions (§17.1.1, §17.1.2; Accepted from RFC 6026).
internal enum SipClientTransactionState { Calling, Trying, Proceeding, Completed, Accepted, Terminated }
