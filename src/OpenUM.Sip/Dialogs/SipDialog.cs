using System.Globalization;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

/// <summary>An established SIP dialog (RFC 3261 §12): in-dialog requests, re-INVITE, INFO and BYE.</summary>
public sealed partial class SipDialog : ISipClientTransactionUser
{
    private readonly SipUserAgent _agent;
    private readonly SipConnection _connection;
    private readonly object _sync = new();
    private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
    private bool _byeStarted;
    private int _released;
    private CancellationTokenRegistration _transportWatch;

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

    /// <summary>The connection the dialog runs on.</summary>
    public SipConnectionInfo Connection => _connection.Info;

    /// <summary>Completes when the ACK for our 2xx arrives (UAS) or ours is sent (UAC); cancelled if the dialog ends first.</summary>
    public Task Confirmed => _confirmed.Task;

    /// <summary>Completes once when the dialog ends: BYE either way, ACK timeout, transport loss.</summary>
    public Task<SipDialogEnd> Terminated => _terminated.Task;

    /// <summary>Answers a re-INVITE: given the request, return the SDP answer, or null for 488.</summary>
    public Func<SipMessage, ReadOnlyMemory<byte>?>? OnReInvite { get; set; }

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
    internal static SipDialog ForUas(SipUserAgent agent, SipConnection connection, SipMessage invite, string localTag)
    {
        var to = invite.Headers.Get("To")!;
        return new SipDialog(agent, connection, invite.CallId!, localTag, invite.From!.Tag,
            to + ";tag=" + localTag, invite.Headers.Get("From")!,
            invite.Contact?.Uri ?? invite.From!.Uri, invite.Headers.SplitValues("Record-Route"),
            invite.CSeq!.Value.Number, invite.CSeq!.Value.Number, invite.RequestUri?.User);
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

    // Puts the dialog in the table and watches its connection.
    internal void Begin()
    {
        _agent.AddDialog(this);
        _transportWatch = _connection.Closed.UnsafeRegister(static s => ((SipDialog)s!).OnTransportLost(), this);
    }

    /// <summary>Ends the dialog with BYE (a non-INVITE client transaction); completes on the final response or Timer F.</summary>
    /// <remarks>The dialog counts as terminated (LocalBye) as soon as the BYE is handed to its transaction (§15.1.1).</remarks>
    public Task ByeAsync(CancellationToken ct = default)
    {
        var task = StartBye(SipDialogEndReason.LocalBye);
        return ct.CanBeCanceled ? task.WaitAsync(ct) : task;
    }

    internal Task StartBye(SipDialogEndReason reason)
    {
        SipMessage bye;
        string branch;
        lock (_sync)
        {
            if (_byeStarted || _ended) return _byeStarted ? _byeDone.Task : Task.CompletedTask;
            _byeStarted = true;
            StopAnswerTimers();
            (bye, branch) = BuildRequest("BYE");
        }
        End(reason, removeNow: false);
        _agent.StartClientTransaction(_connection, bye, branch, this);
        return _byeDone.Task;
    }

    // §12.2.1.1: Request-URI and Route from the remote target and route set (loose or strict routing).
    private (SipMessage Request, string Branch) BuildRequest(string method)
    {
        var cseq = method == "ACK" ? _localCSeq : ++_localCSeq;
        var strict = _routeSet.Count > 0 && !IsLooseRoute(_routeSet[0]);
        var requestUri = strict && SipNameAddress.TryParse(_routeSet[0], out var first) && first is not null ? first.Uri : _remoteTarget;
        var request = SipMessage.CreateRequest(method, requestUri);
        var branch = SipIds.NewBranch();
        var h = request.Headers;
        h.Set("Via", SipUserAgent.ViaFor(_connection, branch));
        h.Set("Max-Forwards", "70");
        h.Set("From", _localHeader);
        h.Set("To", _remoteHeader);
        h.Set("Call-ID", CallId);
        h.Set("CSeq", cseq.ToString(CultureInfo.InvariantCulture) + " " + method);
        for (var i = strict ? 1 : 0; i < _routeSet.Count; i++) h.Add("Route", _routeSet[i]);
        if (strict) h.Add("Route", "<" + _remoteTarget + ">");
        h.Set("User-Agent", _agent.Options.UserAgentHeader);
        return (request, branch);
    }

    private static bool IsLooseRoute(string route)
    {
        if (!SipNameAddress.TryParse(route, out var address) || address is null) return true;
        foreach (var p in address.Uri.Parameters)
        {
            if (string.Equals(p.Key, "lr", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
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
            StopAnswerTimers();
        }
        SipLog.DialogEnded(_agent.Logger, CallId, _connection.Info.Remote, reason);
        _confirmed.TrySetCanceled();
        _terminated.TrySetResult(new SipDialogEnd(reason));
        if (removeNow) Release();
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        _transportWatch.Dispose();
        _agent.RemoveDialog(this);
        _connection.RemoveUser();
    }

    // Accept() raced with CANCEL or transport loss: the dialog never existed on the wire.
    internal void EndUnanswered(SipDialogEndReason reason) => End(reason, removeNow: true);

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
        SipLog.TransactionTimeout(_agent.Logger, "BYE", _connection.Info.Remote, statusCode == 408 ? "Timer F" : "transport");
        Release();
        _byeDone.TrySetResult();
    }

    /// <inheritdoc/>
    public override string ToString() => $"dialog {CallId} local={LocalTag} remote={RemoteTag}";
}
