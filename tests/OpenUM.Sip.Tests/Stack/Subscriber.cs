using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Stack;

// A gateway subscribing to message-summary on behalf of a phone, written as SIP text (RFC 6665 §4.1).
internal sealed class Subscriber : IAsyncDisposable
{
    public const string Summary = "Messages-Waiting: yes\r\nVoice-Message: 1/0 (0/0)\r\n";

    private readonly IPEndPoint _agent;

    private Subscriber(RawSipClient peer, IPEndPoint agent)
    {
        Peer = peer;
        _agent = agent;
    }

    public RawSipClient Peer { get; }
    public string CallId { get; } = "s" + Guid.NewGuid().ToString("N") + "@gw.test";
    public string FromTag { get; } = "st" + Guid.NewGuid().ToString("N")[..8];
    public string? ToTag { get; private set; }
    public string? Target { get; private set; }
    public int CSeq { get; private set; }

    public static async Task<Subscriber> ConnectAsync(SipUserAgent agent, IPAddress? from = null) =>
        new(await RawSipClient.ConnectAsync(agent.Tcp(), from), agent.Tcp());

    // A SUBSCRIBE: out of dialog until a 200 gave us the To tag, then in the dialog. Null expires = no header.
    public Task SendSubscribeAsync(string? expires = "3600", string @event = "message-summary", params string[] extra)
    {
        CSeq++;
        var local = Peer.LocalEndPoint;
        var uri = Target ?? $"sip:1000@{_agent.Address}:{_agent.Port}";
        var sb = new StringBuilder();
        sb.Append("SUBSCRIBE ").Append(uri).Append(" SIP/2.0\r\n");
        sb.Append("Via: SIP/2.0/TCP ").Append(local.Address).Append(':').Append(local.Port).Append(";branch=").Append(PeerCall.NewBranch()).Append("\r\n");
        sb.Append("Max-Forwards: 70\r\n");
        sb.Append("From: <sip:1000@").Append(local.Address).Append(">;tag=").Append(FromTag).Append("\r\n");
        sb.Append("To: <sip:1000@").Append(_agent.Address).Append('>').Append(ToTag is null ? "" : ";tag=" + ToTag).Append("\r\n");
        sb.Append("Call-ID: ").Append(CallId).Append("\r\n");
        sb.Append("CSeq: ").Append(CSeq).Append(" SUBSCRIBE\r\n");
        sb.Append("Contact: <sip:1000@").Append(local.Address).Append(':').Append(local.Port).Append(";transport=tcp>\r\n");
        if (@event.Length > 0) sb.Append("Event: ").Append(@event).Append("\r\n");
        if (expires is not null) sb.Append("Expires: ").Append(expires).Append("\r\n");
        sb.Append("Accept: application/simple-message-summary\r\n");
        foreach (var e in extra) sb.Append(e).Append("\r\n");
        sb.Append("Content-Length: 0\r\n\r\n");
        return Peer.SendAsync(sb.ToString());
    }

    // The response to our last SUBSCRIBE; a 200 sets up the dialog.
    public async Task<RawSipMessage> ReadResponseAsync()
    {
        var response = await Peer.ReadUntilAsync(m => m.IsResponse && m.CSeq == CSeq + " SUBSCRIBE");
        if (response.Status == 200 && ToTag is null)
        {
            ToTag = response.Tag("To");
            Target = response.ContactUri();
        }
        return response;
    }

    public Task<RawSipMessage> ReadNotifyAsync() => Peer.ReadUntilAsync(m => m.Method == "NOTIFY");

    public Task AnswerAsync(RawSipMessage notify, int status = 200, string reason = "OK") =>
        Peer.SendAsync(StackHarness.ResponseTo(notify, status, reason));

    // An OPTIONS round trip on the connection: the agent reads in order, so everything sent before it was handled
    // (a NOTIFY's 200 has stopped its Timer F) once the answer is back. Lets tests move the fake clock safely.
    public async Task SyncAsync()
    {
        var local = Peer.LocalEndPoint;
        var branch = PeerCall.NewBranch();
        await Peer.SendAsync($"OPTIONS sip:{_agent.Address}:{_agent.Port} SIP/2.0\r\nVia: SIP/2.0/TCP {local.Address}:{local.Port};branch={branch}\r\n" +
            $"Max-Forwards: 70\r\nFrom: <sip:gw@{local.Address}>;tag=o{branch[7..]}\r\nTo: <sip:{_agent.Address}>\r\nCall-ID: o{branch}\r\nCSeq: 1 OPTIONS\r\n" +
            "Content-Length: 0\r\n\r\n");
        await Peer.ReadUntilAsync(m => m.IsResponse && m.CSeq == "1 OPTIONS" && m.Header("Via")!.Contains(branch, StringComparison.Ordinal));
    }

    // SUBSCRIBE, its 200, the initial NOTIFY answered 200 (and handled).
    public async Task<(RawSipMessage Ok, RawSipMessage Notify)> SubscribeAsync(string? expires = "3600")
    {
        await SendSubscribeAsync(expires);
        var ok = await ReadResponseAsync();
        Assert.Equal(200, ok.Status);
        var notify = await ReadNotifyAsync();
        await AnswerAsync(notify);
        await SyncAsync();
        return (ok, notify);
    }

    public ValueTask DisposeAsync() => Peer.DisposeAsync();

    // An agent serving message-summary; every accepted subscription lands in `accepted`.
    public static async Task<SipUserAgent> StartNotifierAsync(TimeProvider time, ILogger logger, Func<IncomingSubscribe, ValueTask>? decide = null,
        Action<SipUserAgentOptions>? configure = null, Func<SipNotifierOptions, SipNotifierOptions>? limits = null,
        List<SipSubscription>? accepted = null)
    {
        var options = new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 };
        var notifier = new SipNotifierOptions
        {
            EventPackages = [MessageSummary.EventPackage],
            OnSubscribe = decide ?? (s =>
            {
                var subscription = s.Accept(Encoding.ASCII.GetBytes(Summary), MessageSummary.ContentType);
                if (accepted is not null) lock (accepted) accepted.Add(subscription);
                return ValueTask.CompletedTask;
            }),
        };
        options.Notifier = limits is null ? notifier : limits(notifier);
        configure?.Invoke(options);
        var agent = new SipUserAgent(options, time, logger);
        await agent.StartAsync(CancellationToken.None);
        return agent;
    }
}
