using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Transactions;

// Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6): BYE, OPTIONS, CANCEL, INFO we send.
internal sealed class NonInviteClientTransaction : SipClientTransaction
{
    private TimerWheelEntry? _timerE;
    private TimerWheelEntry? _timerF;
    private TimerWheelEntry? _timerK;
    private TimeSpan _intervalE;

    public NonInviteClientTransaction(ISipTransactionHost host, string key, SipConnection connection, SipMessage request,
        ReadOnlyMemory<byte> requestBytes, ISipClientTransactionUser user)
        : base(host, key, connection, request, requestBytes, user)
    {
    }

    public SipClientTransactionState State { get; private set; } = SipClientTransactionState.Trying;

    protected override void OnStart()
    {
        lock (Sync)
        {
            if (State != SipClientTransactionState.Trying) return;
            var timers = Host.Timers;
            // Timer E retransmits over unreliable transports only; Timer F bounds the wait on all (§17.1.2.2).
            if (!Reliable)
            {
                _intervalE = timers.T1;
                _timerE = Schedule(_intervalE, static s => ((NonInviteClientTransaction)s!).OnTimerE());
            }
            _timerF = Schedule(timers.SixtyFourT1, static s => ((NonInviteClientTransaction)s!).OnTimerF());
        }
        Send(RequestBytes);
    }

    public override void OnResponse(SipMessage response)
    {
        var provisional = response.StatusCode < 200;
        var terminateNow = false;
        lock (Sync)
        {
            if (State is not (SipClientTransactionState.Trying or SipClientTransactionState.Proceeding)) return;
            if (provisional)
            {
                State = SipClientTransactionState.Proceeding;
            }
            else
            {
                State = SipClientTransactionState.Completed;
                Stop(ref _timerE);
                Stop(ref _timerF);
                var timerK = Host.Timers.TimerIorK(Reliable);
                if (timerK > TimeSpan.Zero) _timerK = Schedule(timerK, static s => ((NonInviteClientTransaction)s!).OnTimerK());
                else terminateNow = true;
            }
        }
        if (provisional)
        {
            User.OnProvisional(this, response);
            return;
        }
        if (terminateNow) Terminate();
        User.OnFinal(this, response);
    }

    private void OnTimerE()
    {
        lock (Sync)
        {
            if (State is not (SipClientTransactionState.Trying or SipClientTransactionState.Proceeding)) return;
            // Trying: T1 doubling up to T2; Proceeding: every T2.
            _intervalE = State == SipClientTransactionState.Trying ? Host.Timers.Doubled(_intervalE) : Host.Timers.T2;
            _timerE = Schedule(_intervalE, static s => ((NonInviteClientTransaction)s!).OnTimerE());
        }
        Send(RequestBytes);
    }

    private void OnTimerF()
    {
        if (!MarkFailed()) return;
        Terminate();
        User.OnFailed(this, 408, "Request Timeout");
    }

    private void OnTimerK() => Terminate();

    protected override bool MarkFailed()
    {
        lock (Sync)
        {
            if (State is not (SipClientTransactionState.Trying or SipClientTransactionState.Proceeding)) return false;
            State = SipClientTransactionState.Terminated;
            return true;
        }
    }

    protected override void OnTerminated()
    {
        StopTransportWatch();
        lock (Sync)
        {
            State = SipClientTransactionState.Terminated;
            Stop(ref _timerE);
            Stop(ref _timerF);
            Stop(ref _timerK);
        }
    }
}
