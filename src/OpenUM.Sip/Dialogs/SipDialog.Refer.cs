using System.Globalization;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

// Call transfer (RFC 3515): an in-dialog REFER and the NOTIFYs of the implicit "refer" subscription (RFC 3265).
public sealed partial class SipDialog
{
    private ReferSubscription? _refer; // guarded by _sync: the last REFER's subscription, which NOTIFYs report on

    /// <summary>Raised for each NOTIFY of the refer subscription (already answered 200), in arrival order.</summary>
    public event Action<SipReferProgress>? ReferNotified;

    /// <summary>
    /// Asks the peer to call <paramref name="target"/> (a blind transfer, RFC 3515): sends REFER with Refer-To and
    /// Referred-By (our URI), and completes on its final response. The referred call's progress arrives by NOTIFY:
    /// <see cref="SipReferResult.Outcome"/> and <see cref="ReferNotified"/>. The dialog stays up; ending it (BYE)
    /// after a successful transfer is the caller's choice.
    /// </summary>
    public async Task<SipReferResult> ReferAsync(SipUri target, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var connection = CurrentConnection;
        if (connection.IsClosed && await ReconnectAsync().ConfigureAwait(false) is { } reconnected) connection = reconnected;
        if (connection.IsClosed) return ReferSubscription.Refused(503, "Service Unavailable");

        ReferSubscription subscription;
        ReferSubscription? superseded;
        SipMessage refer;
        string branch;
        lock (_sync)
        {
            if (_ended) return ReferSubscription.Refused(481, "Call/Transaction Does Not Exist");
            (refer, branch) = BuildRequest("REFER", connection);
            var h = refer.Headers;
            h.Set("Refer-To", "<" + target + ">");
            h.Set("Referred-By", "<" + LocalUri() + ">");
            h.Set("Contact", _agent.ContactFor(connection, _contactUser));
            h.Set("Allow", _agent.AllowHeader);
            subscription = new ReferSubscription(this, refer.CSeq!.Value.Number);
            superseded = _refer;
            _refer = subscription;
        }
        superseded?.Terminate();
        _ = Terminated.ContinueWith(static (_, s) => ((ReferSubscription)s!).Terminate(), subscription,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _agent.StartClientTransaction(connection, refer, branch, subscription);
        return await subscription.Final.WaitAsync(ct).ConfigureAwait(false);
    }

    // Our URI as the From/To of our requests carries it, for Referred-By (RFC 3892).
    private SipUri LocalUri() =>
        SipNameAddress.TryParse(_localHeader, out var address) && address is not null ? address.Uri : _remoteTarget;

    // RFC 3265 §3.2.4 / RFC 3515 §2.4.5: a NOTIFY for the refer subscription, its body a message/sipfrag.
    private void OnNotifyRequest(SipMessage request, SipTransaction tx)
    {
        var (eventName, id) = ParseEvent(request.Headers.Get("Event"));
        if (!string.Equals(eventName, "refer", StringComparison.OrdinalIgnoreCase))
        {
            // §7.3.2 (RFC 3265): a package we did not subscribe to.
            Respond(tx, request, 489, "Bad Event");
            return;
        }
        ReferSubscription? subscription;
        lock (_sync) subscription = _refer;
        // RFC 3515 §2.4.6: with several REFERs the id parameter names the REFER's CSeq.
        if (subscription is null || (id is not null && id != subscription.CSeq))
        {
            Respond(tx, request, 481, "Subscription Does Not Exist");
            return;
        }
        var state = request.Headers.Get("Subscription-State");
        if (string.IsNullOrWhiteSpace(state))
        {
            Respond(tx, request, 400, "Missing Subscription-State");
            return;
        }
        bool terminated = state.AsSpan().Trim().StartsWith("terminated", StringComparison.OrdinalIgnoreCase);
        int status = 0;
        string reason = "";
        if (!request.Body.IsEmpty && !SipReferProgress.TryParseSipFrag(request.Body.Span, out status, out reason))
        {
            Respond(tx, request, 400, "Bad sipfrag");
            return;
        }
        Respond(tx, request, 200, null);
        subscription.OnNotify(status, reason, terminated);
    }

    // "refer;id=93809824" → ("refer", 93809824); a missing or unreadable id is null.
    private static (string Name, uint? Id) ParseEvent(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return ("", null);
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        uint? id = null;
        for (var i = 1; i < parts.Length; i++)
        {
            var p = parts[i];
            if (p.StartsWith("id=", StringComparison.OrdinalIgnoreCase)
                && uint.TryParse(p.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) id = n;
        }
        return (parts[0], id);
    }

    private void RaiseReferNotified(SipReferProgress progress)
    {
        try
        {
            ReferNotified?.Invoke(progress);
        }
        catch (Exception ex)
        {
            SipLog.MessageHandlingFailed(_agent.Logger, ex, CurrentConnection.Info.Id, CurrentConnection.Info.Remote);
        }
    }

    // One REFER: its client transaction's user, then the subscription its 2xx created (RFC 3515 §2.4.4).
    private sealed class ReferSubscription(SipDialog dialog, uint cseq) : ISipClientTransactionUser
    {
        private readonly TaskCompletionSource<SipReferResult> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<SipReferProgress> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private SipReferProgress _last;

        public uint CSeq { get; } = cseq;

        public Task<SipReferResult> Final => _final.Task;

        public static SipReferResult Refused(int status, string reason) =>
            new(status, reason, null, Task.FromResult(new SipReferProgress(status, reason, true)));

        public void OnNotify(int status, string reason, bool terminated)
        {
            SipReferProgress progress;
            lock (_gate)
            {
                // A NOTIFY without body only moves the subscription state; the last status stays.
                _last = status == 0 ? _last with { Terminated = terminated } : new SipReferProgress(status, reason, terminated);
                progress = _last;
            }
            dialog.RaiseReferNotified(progress);
            if (progress.IsFinal || terminated) Complete(progress);
        }

        public void Terminate()
        {
            SipReferProgress last;
            lock (_gate) last = _last with { Terminated = true };
            Complete(last);
        }

        private void Complete(SipReferProgress progress)
        {
            _outcome.TrySetResult(progress);
            lock (dialog._sync)
            {
                if (progress.Terminated && ReferenceEquals(dialog._refer, this)) dialog._refer = null;
            }
        }

        public void OnProvisional(SipClientTransaction transaction, SipMessage response)
        {
        }

        public void OnFinal(SipClientTransaction transaction, SipMessage response)
        {
            if (response.StatusCode >= 300) Complete(new SipReferProgress(response.StatusCode, response.ReasonPhrase, true));
            _final.TrySetResult(new SipReferResult(response.StatusCode, response.ReasonPhrase, response, _outcome.Task));
        }

        public void OnFailed(SipClientTransaction transaction, int statusCode, string reasonPhrase)
        {
            SipLog.TransactionTimeout(dialog._agent.Logger, "REFER", transaction.Connection.Info.Remote, statusCode == 408 ? "Timer F" : "transport");
            Complete(new SipReferProgress(statusCode, reasonPhrase, true));
            _final.TrySetResult(new SipReferResult(statusCode, reasonPhrase, null, _outcome.Task));
        }
    }
}
