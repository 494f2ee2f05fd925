using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transactions;

// The transaction user (UAC core, dialog) of a client transaction. Calls come from the read loop or
// the timer wheel and must not block.
internal interface ISipClientTransactionUser
{
    void OnProvisional(SipClientTransaction transaction, SipMessage response);

    // The final response; for INVITE also each retransmitted 2xx (the TU resends its ACK, §13.2.2.4).
    void OnFinal(SipClientTransaction transaction, SipMessage response);

    // No final response: 408 after Timer B/F, 503 on transport failure (§8.1.3.1).
    void OnFailed(SipClientTransaction transaction, int statusCode, string reasonPhrase);
}

// Shared by the INVITE and non-INVITE client transactions.
internal abstract class SipClientTransaction : SipTransaction
{
    private CancellationTokenRegistration _transportWatch;

    protected SipClientTransaction(ISipTransactionHost host, string key, Transport.SipConnection connection,
        SipMessage request, ReadOnlyMemory<byte> requestBytes, ISipClientTransactionUser user)
        : base(host, key, connection, request)
    {
        RequestBytes = requestBytes;
        User = user;
    }

    public ReadOnlyMemory<byte> RequestBytes { get; }

    protected ISipClientTransactionUser User { get; }

    // Sends the request and arms the timers; the caller has put the transaction in the table.
    public void Start()
    {
        _transportWatch = Connection.Closed.UnsafeRegister(static s => ((SipClientTransaction)s!).OnTransportError(), this);
        OnStart();
    }

    protected abstract void OnStart();

    public abstract void OnResponse(SipMessage response);

    // §17.1.4: a transport failure is reported to the TU as 503.
    public void OnTransportError()
    {
        if (IsTerminated) return;
        if (!MarkFailed()) return;
        Terminate();
        User.OnFailed(this, 503, "Service Unavailable");
    }

    // Returns true if the transaction had not yet delivered a final outcome.
    protected abstract bool MarkFailed();

    protected void StopTransportWatch() => _transportWatch.Dispose();
}
