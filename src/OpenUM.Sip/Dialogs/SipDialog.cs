using System.Net;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Dialogs;

/// <summary>An established SIP dialog (RFC 3261 §12): in-dialog requests, re-INVITE, UPDATE, INFO and BYE.</summary>
/// <remarks>
/// A dialog is not bound to a connection (RFC 3261 §12, §18): it starts on the connection its INVITE used and
/// keeps using it while it is open; once it closes, our next in-dialog request goes over a connection to the
/// remote target (or the first route), reused or opened for it.
/// </remarks>
public sealed partial class SipDialog : ISipClientTransactionUser
{
    private readonly SipUserAgent _agent;
    private SipConnection _connection; // guarded by _sync; replaced when it closed and a request had to go out
    private readonly object _sync = new();
    private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Asynchronous: it completes on the read loop that took the BYE, and what waits for it (a call's lifetime, transfers)
    // runs call code that must not hold that connection.
    private readonly TaskCompletionSource<SipDialogEnd> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _byeDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _localHeader;   // From of the requests we send: our URI and tag
    private readonly string _remoteHeader;  // To of the requests we send: the peer's URI and tag
    private readonly IReadOnlyList<string> _routeSet;
    private readonly string? _contactUser;
    private SipUri _remoteTarget;
    private uint _localCSeq;
    private uint _remoteCSeq;
    private bool _ended;
    private SipDialogEndReason _endReason;
    private ByeState _bye;
    private SipDialogEndReason _byeReason; // why the BYE that waits for the ACK will be sent
    private int _released;

    private SipDialog(SipUserAgent agent, SipConnection connection, string callId, string localTag, string? remoteTag,
        string localHeader, string remoteHeader, SipUri remoteTarget, IReadOnlyList<string> routeSet,
        uint localCSeq, uint remoteCSeq, string? contactUser)
    {
        _agent = agent;
        _connection = connection;
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        _localHeader = localHeader;
        _remoteHeader = remoteHeader;
        _remoteTarget = remoteTarget;
        _routeSet = routeSet;
        _localCSeq = localCSeq;
        _remoteCSeq = remoteCSeq;
        _contactUser = contactUser;
        Key = SipUserAgent.DialogKey(callId, localTag, remoteTag);
        connection.AddUser();
    }

    /// <summary>Call-ID of the dialog.</summary>
    public string CallId { get; }

    /// <summary>Our tag (To tag as UAS, From tag as UAC).</summary>
    public string LocalTag { get; }

    /// <summary>The peer's tag; null for RFC 2543 peers that sent none.</summary>
    public string? RemoteTag { get; }

    /// <summary>The connection the dialog currently sends on (the INVITE's, until that one closes).</summary>
    public SipConnectionInfo Connection => CurrentConnection.Info;

    /// <summary>Completes when the ACK for our 2xx arrives (UAS) or ours is sent (UAC); cancelled if the dialog ends first.</summary>
    public Task Confirmed => _confirmed.Task;

    /// <summary>Completes once when the dialog ends: BYE either way, ACK timeout, no connection for our BYE, shutdown.</summary>
    public Task<SipDialogEnd> Terminated => _terminated.Task;

    /// <summary>Answers an SDP offer in a re-INVITE or UPDATE (RFC 3311): given the request, return the SDP answer, or null for 488.</summary>
    /// <remarks>The offer may sit in a multipart/mixed body: read it with <see cref="SipBody.TryGetPart"/>.</remarks>
    public Func<SipMessage, ReadOnlyMemory<byte>?>? OnReInvite { get; set; }

    /// <summary>
    /// Answers a re-INVITE without SDP (a session refresh or a 3pcc "tell me your session", RFC 3261 §14.2): return our
    /// current SDP, sent as the offer in the 200 (the answer comes in the ACK and is not used), or null for 488.
    /// When not set such a re-INVITE gets 488.
    /// </summary>
    public Func<ReadOnlyMemory<byte>?>? OnOfferlessReInvite { get; set; }

    /// <summary>An INFO request (already answered 200), e.g. DTMF relay.</summary>
    public event Action<SipMessage>? InfoReceived;

    internal string Key { get; }

    internal bool IsEnded
    {
        get
        {
            lock (_sync) return _ended;
        }
    }

    // UAS side (§12.1.1): the route set is the request's Record-Route in order; the remote target its Contact.
    // Our CSeq space starts at the INVITE's number so the first request we send is that + 1.
    // The From and To are read in place: the From view is built only when there is no Contact to target.
    internal static SipDialog ForUas(SipUserAgent agent, SipConnection connection, SipMessage invite, string localTag)
    {
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        invite.TryReadFirst(SipHeaderNames.To, scratch, out var to);
        var localHeader = string.Concat(to, ";tag=", localTag);
        var remoteTag = invite.TryReadAddress(SipHeaderNames.From, scratch, out var from) && from.HasTag ? from.Tag.ToString() : null;
        var cseq = invite.CSeq!.Value.Number;
        return new SipDialog(agent, connection, invite.CallId!, localTag, remoteTag,
            localHeader, invite.Headers.Get(SipHeaderNames.From)!,
            invite.Contact?.Uri ?? invite.From!.Uri, invite.Headers.SplitValues("Record-Route"),
            cseq, cseq, invite.RequestUri?.User);
    }

    // UAC side (§12.1.2): the route set is the 2xx's Record-Route reversed; the remote target its Contact.
    internal static SipDialog ForUac(SipUserAgent agent, SipConnection connection, SipMessage invite, SipMessage response)
    {
        var recordRoute = response.Headers.SplitValues("Record-Route");
        var routes = new string[recordRoute.Count];
        for (var i = 0; i < routes.Length; i++) routes[i] = recordRoute[recordRoute.Count - 1 - i];
        return new SipDialog(agent, connection, invite.CallId!, invite.From!.Tag!, response.To?.Tag,
            invite.Headers.Get("From")!, response.Headers.Get("To")!,
            response.Contact?.Uri ?? invite.RequestUri!, routes, invite.CSeq!.Value.Number, 0, invite.From!.Uri.User);
    }

    internal SipConnection CurrentConnection
    {
        get
        {
            lock (_sync) return _connection;
        }
    }

    // Puts the dialog in the table. The connection is not watched: its loss does not end the dialog (§12).
    internal void Begin() => _agent.AddDialog(this);

    /// <summary>Ends the dialog with BYE (a non-INVITE client transaction); completes on the final response or Timer F.</summary>
    /// <remarks>
    /// The dialog counts as terminated (LocalBye) as soon as the BYE is handed to its transaction (§15.1.1). As UAS
    /// before the ACK of our 2xx, the BYE waits for that ACK (§15) while the 2xx is retransmitted; without an ACK
    /// within 64*T1 the dialog ends AckTimeout and the BYE is sent then (§13.3.1.4). When the dialog's connection
    /// closed, the BYE goes over a reused or new connection to the remote target; if none can be made the dialog
    /// ends TransportLost.
    /// </remarks>
    public Task ByeAsync(CancellationToken ct = default)
    {
        var task = StartBye(SipDialogEndReason.LocalBye);
        return ct.CanBeCanceled ? task.WaitAsync(ct) : task;
    }

    internal Task StartBye(SipDialogEndReason reason)
    {
        lock (_sync)
        {
            if (_bye != ByeState.None) return _byeDone.Task;
            if (_ended) return Task.CompletedTask;
            // §15: the callee must not send BYE before the ACK of its 2xx (or Timer H); the 2xx keeps going out.
            if (_pendingIsInitial && !_pendingAnswer.IsEmpty)
            {
                _bye = ByeState.AwaitingAck;
                _byeReason = reason;
                return _byeDone.Task;
            }
            _bye = ByeState.Sending;
            StopAnswerTimers();
        }
        SendBye(reason);
        return _byeDone.Task;
    }

    // The caller has set _bye = Sending.
    private void SendBye(SipDialogEndReason reason)
    {
        SipConnection connection;
        lock (_sync) connection = _connection;
        if (!connection.IsClosed) StartByeTransaction(connection, reason);
        else _ = SendByeOnNewConnectionAsync(reason);
    }

    private async Task SendByeOnNewConnectionAsync(SipDialogEndReason reason)
    {
        var connection = await ReconnectAsync().ConfigureAwait(false);
        if (connection is null)
        {
            End(SipDialogEndReason.TransportLost, removeNow: true);
            _byeDone.TrySetResult();
            return;
        }
        StartByeTransaction(connection, reason);
    }

    private void StartByeTransaction(SipConnection connection, SipDialogEndReason reason)
    {
        SipMessage? bye = null;
        var branch = "";
        lock (_sync)
        {
            // The peer hung up while we were connecting: there is nothing left to end.
            if (!(_ended && _endReason == SipDialogEndReason.RemoteBye)) (bye, branch) = BuildRequest("BYE", connection);
        }
        if (bye is null)
        {
            Release();
            _byeDone.TrySetResult();
            return;
        }
        End(reason, removeNow: false);
        _agent.StartClientTransaction(connection, bye, branch, this);
    }

    // The dialog's connection closed: reuse or open one to the next hop, the first route or else the remote
    // target (§12.2.1.1, §18.1.1). Null when that fails.
    private async Task<SipConnection?> ReconnectAsync()
    {
        SipConnection old;
        SipUri hop;
        lock (_sync)
        {
            old = _connection;
            hop = DialogRequests.NextHop(_routeSet, _remoteTarget);
        }
        var connection = await DialogRequests.ConnectNextHopAsync(_agent, hop, old, "dialog " + CallId, EndPointOf(hop))
            .ConfigureAwait(false);
        if (connection is null) return null;
        lock (_sync)
        {
            if (Volatile.Read(ref _released) == 0) DialogRequests.Adopt(ref _connection, old, connection);
        }
        return connection;
    }

    private static IPEndPoint EndPointOf(SipUri uri) =>
        new(IPAddress.TryParse(uri.Host.Trim('[', ']'), out var a) ? a : IPAddress.None, uri.Port ?? 0);

    // §12.2.1.1: Request-URI and Route from the remote target and route set. Caller holds _sync.
    private (SipMessage Request, string Branch) BuildRequest(string method, SipConnection connection)
    {
        var cseq = method == "ACK" ? _localCSeq : ++_localCSeq;
        return DialogRequests.Build(method, cseq, connection, CallId, _localHeader, _remoteHeader, _remoteTarget, _routeSet,
            _agent.Options.UserAgentHeader);
    }

    // Marks the dialog ended once; removeNow drops it from the table (no BYE transaction to wait for).
    private void End(SipDialogEndReason reason, bool removeNow)
    {
        lock (_sync)
        {
            if (_ended)
            {
                if (removeNow) Release();
                return;
            }
            _ended = true;
            _endReason = reason;
            StopAnswerTimers();
        }
        SipLog.DialogEnded(_agent.Logger, CallId, CurrentConnection.Info.Remote, reason);
        _confirmed.TrySetCanceled();
        _terminated.TrySetResult(new SipDialogEnd(reason));
        if (removeNow) Release();
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _agent.RemoveDialog(this);
        CurrentConnection.RemoveUser();
    }

    // Accept() raced with CANCEL or transport loss: the dialog never existed on the wire.
    internal void EndUnanswered(SipDialogEndReason reason) => End(reason, removeNow: true);

    // The user agent shuts down: no request can go out any more.
    internal void OnTransportLost()
    {
        End(SipDialogEndReason.TransportLost, removeNow: true);
        _byeDone.TrySetResult();
    }

    void ISipClientTransactionUser.OnProvisional(SipClientTransaction transaction, SipMessage response)
    {
    }

    // The BYE got its final response (any status ends the dialog, §15.1.1).
    void ISipClientTransactionUser.OnFinal(SipClientTransaction transaction, SipMessage response)
    {
        Release();
        _byeDone.TrySetResult();
    }

    void ISipClientTransactionUser.OnFailed(SipClientTransaction transaction, int statusCode, string reasonPhrase)
    {
        SipLog.TransactionTimeout(_agent.Logger, "BYE", transaction.Connection.Info.Remote, statusCode == 408 ? "Timer F" : "transport");
        Release();
        _byeDone.TrySetResult();
    }

    /// <inheritdoc/>
    public override string ToString() => $"dialog {CallId} local={LocalTag} remote={RemoteTag}";

    private enum ByeState { None, AwaitingAck, Sending }
}
