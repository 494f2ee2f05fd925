using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Transactions;

// INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) with the "Accepted" state of RFC 6026 §7.1:
// after a 2xx the transaction lingers for Timer L so INVITE retransmissions are absorbed instead of
// looking like a new call, while the 2xx itself is retransmitted by the dialog (§13.3.1.4).
internal sealed class InviteServerTransaction : SipTransaction
{
    private TimerWheelEntry? _timerG;
    private TimerWheelEntry? _timerH;
    private TimerWheelEntry? _timerI;
    private TimerWheelEntry? _timerL;
    private TimerWheelEntry? _timerTrying;
    private TimeSpan _intervalG;
    private ReadOnlyMemory<byte> _lastResponse;
    private int _lastStatus;

    public InviteServerTransaction(ISipTransactionHost host, string key, SipConnection connection, SipMessage request)
        : base(host, key, connection, request)
    {
    }

    public SipServerTransactionState State { get; private set; } = SipServerTransactionState.Proceeding;

    // The call or dialog this INVITE belongs to, for CANCEL (§9.2) and transport loss.
    public object? Owner { get; set; }

    public bool FinalSent
    {
        get
        {
            lock (Sync) return _lastStatus >= 200;
        }
    }

    // §17.2.1: the 100 (Trying) goes out only if the TU has said nothing within 200 ms, or at once when the INVITE is
    // retransmitted first. A call answered at once (voice mail mostly is) costs the gateway and us one message less.
    public void ScheduleTrying()
    {
        lock (Sync)
        {
            if (State != SipServerTransactionState.Proceeding || _lastStatus != 0) return;
            _timerTrying = Schedule(SipTimerValues.TryingDelay, static s => ((InviteServerTransaction)s!).SendTryingIfSilent());
        }
    }

    // Sent under the lock, as every response of this transaction: the timer's 100 and the TU's final, on two threads,
    // then reach the connection in the order the state saw them, never a 200 and then its 100.
    private void SendTryingIfSilent()
    {
        lock (Sync)
        {
            _timerTrying = null;
            if (State != SipServerTransactionState.Proceeding || _lastStatus != 0) return;
            Send(TryingLocked());
        }
    }

    // The 100 (Trying), now remembered as the last provisional; called under Sync in Proceeding with nothing sent.
    private ReadOnlyMemory<byte> TryingLocked()
    {
        Stop(ref _timerTrying);
        _lastStatus = 100;
        return _lastResponse = SipMessage.CreateResponse(Request, 100, null).ToArray();
    }

    // TU sends a provisional response (1xx): stays in Proceeding; remembered for retransmitted INVITEs.
    public bool SendProvisional(ReadOnlyMemory<byte> response)
    {
        lock (Sync)
        {
            if (State != SipServerTransactionState.Proceeding) return false;
            Stop(ref _timerTrying);
            _lastResponse = response;
            _lastStatus = 100;
            Send(response);
        }
        return true;
    }

    // The To tag of the 2xx that accepted the INVITE, for the 200 to a late CANCEL (§9.2) once Owner is let go.
    public string? AcceptedTag { get; private set; }

    // TU sends the final response. 2xx: Accepted + Timer L (RFC 6026), keeping only the key, the timer and the To tag
    // (toTag) for its 64*T1. 300-699: Completed, Timer G (unreliable only) and Timer H (§17.2.1).
    public bool SendFinal(int statusCode, ReadOnlyMemory<byte> response, string? toTag = null)
    {
        lock (Sync)
        {
            if (State != SipServerTransactionState.Proceeding) return false;
            Stop(ref _timerTrying);
            _lastResponse = response;
            _lastStatus = statusCode;
            var timers = Host.Timers;
            if (statusCode < 300)
            {
                State = SipServerTransactionState.Accepted;
                _timerL = Schedule(timers.SixtyFourT1, static s => ((InviteServerTransaction)s!).OnTimerL());
                // Accepted absorbs retransmitted INVITEs and sends nothing: the response, the request and the call
                // need not live on (the 2xx's retransmissions are the dialog's, §13.3.1.4).
                _lastResponse = default;
                AcceptedTag = toTag;
                Owner = null;
                ReleaseRequest();
                Send(response);
                return true;
            }
            else
            {
                State = SipServerTransactionState.Completed;
                if (!Reliable)
                {
                    _intervalG = timers.T1;
                    _timerG = Schedule(_intervalG, static s => ((InviteServerTransaction)s!).OnTimerG());
                }
                _timerH = Schedule(timers.SixtyFourT1, static s => ((InviteServerTransaction)s!).OnTimerH());
            }
            Send(response);
        }
        return true;
    }

    // A retransmitted INVITE: Proceeding resends the last provisional (a 100 at once if nothing was sent yet: the
    // caller is not hearing us), Completed the final; Accepted and Confirmed absorb it.
    public void OnRetransmission()
    {
        lock (Sync)
        {
            if (State == SipServerTransactionState.Proceeding && _lastStatus == 0) Send(TryingLocked());
            else if (State is SipServerTransactionState.Proceeding or SipServerTransactionState.Completed) Send(_lastResponse);
        }
    }

    // An ACK matching this transaction. True when it acknowledged our non-2xx final (absorbed here);
    // false when the ACK is for a 2xx and belongs to the dialog (§17.2.3 last paragraph).
    public bool OnAck()
    {
        lock (Sync)
        {
            if (State == SipServerTransactionState.Confirmed) return true;
            if (State != SipServerTransactionState.Completed) return false;
            State = SipServerTransactionState.Confirmed;
            Stop(ref _timerG);
            Stop(ref _timerH);
            var timerI = Host.Timers.TimerIorK(Reliable);
            if (timerI > TimeSpan.Zero)
            {
                _timerI = Schedule(timerI, static s => ((InviteServerTransaction)s!).OnTimerI());
                return true;
            }
        }
        Terminate();
        return true;
    }

    // The connection is gone (§17.2.4): nothing more can be sent.
    public void OnTransportError() => Terminate();

    private void OnTimerG()
    {
        lock (Sync)
        {
            if (State != SipServerTransactionState.Completed) return;
            _intervalG = Host.Timers.Doubled(_intervalG);
            _timerG = Schedule(_intervalG, static s => ((InviteServerTransaction)s!).OnTimerG());
            Send(_lastResponse);
        }
    }

    // No ACK for our non-2xx final within 64*T1: give up (§17.2.1).
    private void OnTimerH() => Terminate();

    private void OnTimerI() => Terminate();

    private void OnTimerL() => Terminate();

    protected override void OnTerminated()
    {
        lock (Sync)
        {
            State = SipServerTransactionState.Terminated;
            Stop(ref _timerG);
            Stop(ref _timerH);
            Stop(ref _timerI);
            Stop(ref _timerL);
            Stop(ref _timerTrying);
        }
    }
}

// States of both server transactions (§17.2.1, §17.2.2; Accepted from RFC 6026).
internal enum SipServerTransactionState { Trying, Proceeding, Completed, Confirmed, Accepted, Terminated }
