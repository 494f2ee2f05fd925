using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Transactions;

// Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8): retransmitted requests are absorbed
// (Trying) or answered with the last response (Proceeding, Completed) until Timer J.
internal sealed class NonInviteServerTransaction : SipTransaction
{
    private TimerWheelEntry? _timerJ;
    private ReadOnlyMemory<byte> _lastResponse;

    public NonInviteServerTransaction(ISipTransactionHost host, string key, SipConnection connection, SipMessage request)
        : base(host, key, connection, request)
    {
    }

    public SipServerTransactionState State { get; private set; } = SipServerTransactionState.Trying;

    public bool FinalSent
    {
        get
        {
            lock (Sync) return State is SipServerTransactionState.Completed or SipServerTransactionState.Terminated;
        }
    }

    public bool SendResponse(int statusCode, ReadOnlyMemory<byte> response)
    {
        var terminateNow = false;
        lock (Sync)
        {
            if (State is SipServerTransactionState.Completed or SipServerTransactionState.Terminated) return false;
            _lastResponse = response;
            if (statusCode < 200)
            {
                State = SipServerTransactionState.Proceeding;
            }
            else
            {
                State = SipServerTransactionState.Completed;
                var timerJ = Host.Timers.TimerJ(Reliable);
                if (timerJ > TimeSpan.Zero) _timerJ = Schedule(timerJ, static s => ((NonInviteServerTransaction)s!).OnTimerJ());
                else terminateNow = true;
            }
        }
        // Without Timer J (reliable transport) the transaction leaves the table before its response is handed over: a
        // send can reach the peer before Send returns, and the peer's next request with the same branch (the same
        // CANCEL again on another connection) must then be a new transaction, not a retransmission of this one.
        if (terminateNow) Terminate();
        Send(response);
        return true;
    }

    public void OnRetransmission()
    {
        ReadOnlyMemory<byte> resend = default;
        lock (Sync)
        {
            if (State is SipServerTransactionState.Proceeding or SipServerTransactionState.Completed) resend = _lastResponse;
        }
        if (!resend.IsEmpty) Send(resend);
    }

    private void OnTimerJ() => Terminate();

    protected override void OnTerminated()
    {
        lock (Sync)
        {
            State = SipServerTransactionState.Terminated;
            Stop(ref _timerJ);
        }
    }
}
