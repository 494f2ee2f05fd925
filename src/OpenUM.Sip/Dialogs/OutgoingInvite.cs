using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

// The UAC core for one INVITE we sent: builds the dialog and ACK on 2xx (§13.2.2.4), sends CANCEL
// when the caller gives up (§9.1), and completes InviteAsync.
internal sealed class OutgoingInvite : ISipClientTransactionUser
{
    private readonly SipUserAgent _agent;
    private readonly SipConnection _connection;
    private readonly SipMessage _invite;
    private readonly TaskCompletionSource<OutgoingCallResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _sync = new();
    private bool _completed;
    private bool _proceeding;
    private bool _cancelSent;
    private SipDialog? _dialog;

    public OutgoingInvite(SipUserAgent agent, SipConnection connection, SipMessage invite)
    {
        _agent = agent;
        _connection = connection;
        _invite = invite;
    }

    public InviteClientTransaction? Transaction { get; set; }

    public Task<OutgoingCallResult> Completion => _completion.Task;

    public bool CancelRequested { get; private set; }

    public void OnCancelRequested()
    {
        lock (_sync)
        {
            if (_completed || CancelRequested) return;
            CancelRequested = true;
            if (!_proceeding) return; // §9.1: no CANCEL before a provisional response
            _cancelSent = true;
        }
        SendCancel();
    }

    private void SendCancel()
    {
        _agent.SendCancel(_connection, _invite, IgnoreResult.Instance);
        Transaction?.ArmCancelGuard();
    }

    public void OnProvisional(SipClientTransaction transaction, SipMessage response)
    {
        bool cancel;
        lock (_sync)
        {
            _proceeding = true;
            cancel = CancelRequested && !_cancelSent && !_completed;
            if (cancel) _cancelSent = true;
        }
        if (cancel) SendCancel();
    }

    public void OnFinal(SipClientTransaction transaction, SipMessage response)
    {
        if (response.StatusCode >= 300)
        {
            Complete(new OutgoingCallResult(response.StatusCode, response.ReasonPhrase, response, null));
            return;
        }
        SipDialog dialog;
        bool cancelled;
        lock (_sync)
        {
            if (_dialog is not null)
            {
                _dialog.OnSuccessRetransmission();
                return;
            }
            _dialog = dialog = SipDialog.ForUac(_agent, _connection, _invite, response);
            cancelled = CancelRequested;
        }
        dialog.Begin();
        dialog.SendAck();
        if (cancelled)
        {
            // The 2xx crossed our CANCEL: the call exists, so end it properly (§15).
            _ = dialog.ByeAsync();
        }
        Complete(new OutgoingCallResult(response.StatusCode, response.ReasonPhrase, response, dialog));
    }

    public void OnFailed(SipClientTransaction transaction, int statusCode, string reasonPhrase)
    {
        SipLog.TransactionTimeout(_agent.Logger, "INVITE", _connection.Info.Remote, statusCode == 408 ? "Timer B" : "transport");
        Complete(new OutgoingCallResult(statusCode, reasonPhrase, null, null));
    }

    private void Complete(OutgoingCallResult result)
    {
        lock (_sync) _completed = true;
        _completion.TrySetResult(result);
    }

    // The CANCEL's own outcome does not matter: the INVITE's final response decides.
    private sealed class IgnoreResult : ISipClientTransactionUser
    {
        public static readonly IgnoreResult Instance = new();

        public void OnProvisional(SipClientTransaction transaction, SipMessage response) { }

        public void OnFinal(SipClientTransaction transaction, SipMessage response) { }

        public void OnFailed(SipClientTransaction transaction, int statusCode, string reasonPhrase) { }
    }
}
