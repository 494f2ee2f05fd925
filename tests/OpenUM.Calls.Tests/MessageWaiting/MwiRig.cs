using System.Net;
using System.Text;
using OpenUM.Calls.MessageWaiting;
using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.Tests.MessageWaiting;

/// <summary>
/// The server's side of message-waiting on loopback: a real SipUserAgent serving message-summary, the notifier with a
/// fake store and feed, and the configuration (dial plan "Test", mailbox 1000 of user1000@example.test, the gateways given).
/// </summary>
internal sealed class MwiRig : IAsyncDisposable
{
    public const string Address = "user1000@example.test";

    private MwiRig(ConfigurationSnapshot configuration, SipUserAgent agent)
    {
        Configuration = configuration;
        Agent = agent;
    }

    public ConfigurationSnapshot Configuration { get; set; }
    public SipUserAgent Agent { get; }
    public FakeMailboxStore Store { get; } = new();
    public FakeLogger Events { get; } = new();
    public MessageWaitingNotifier Notifier { get; private set; } = null!;

    public IPEndPoint SipEndPoint => new(IPAddress.Loopback, Agent.TcpPort!.Value);

    public static ConfigurationSnapshot Snapshot(IEnumerable<IpGateway> gateways, DialPlan? plan = null, Mailbox? mailbox = null, Mailbox? other = null)
    {
        var list = gateways.ToArray();
        plan ??= new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4 };
        return new ConfigurationSnapshot(1, [plan], list,
            list.Select(g => new HuntGroup { Name = g.Name + "-" + plan.Name, IpGateway = g.Name, DialPlan = plan.Name }).ToArray(),
            [new UmServer { Name = "um1" }],
            new[] { mailbox ?? new Mailbox { Extension = "1000", DialPlan = plan.Name, EmailAddress = Address }, other }.OfType<Mailbox>().ToArray());
    }

    public static IpGateway Gateway(string name, int port, bool mwi = true) =>
        new() { Name = name, Address = "127.0.0.1", Port = port, MessageWaitingIndicatorAllowed = mwi };

    /// <summary>Starts the agent and the notifier; <paramref name="send"/> replaces the agent's SendRequestAsync.</summary>
    public static async Task<MwiRig> StartAsync(ConfigurationSnapshot configuration, TimeProvider? time = null,
        Func<OutgoingRequest, CancellationToken, Task<SipRequestResult>>? send = null, Action<FakeMailboxStore>? before = null,
        TimeSpan? recountInterval = null, int workers = 4, Func<bool>? canCount = null)
    {
        MwiRig? rig = null;
        var agent = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = IPAddress.Loopback,
            TcpPort = 0,
            Notifier = new SipNotifierOptions { EventPackages = [MessageSummary.EventPackage], OnSubscribe = s => rig!.Notifier.OnSubscribeAsync(s) },
        }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        rig = new MwiRig(configuration, agent);
        before?.Invoke(rig.Store);
        rig.Notifier = new MessageWaitingNotifier(() => rig.Configuration, rig.Store, rig.Store, send ?? ((r, ct) => agent.SendRequestAsync(r, ct)),
            c => rig.Configuration.IpGateways.FirstOrDefault(g => g.Address == c.Remote.Address.MapToIPv4().ToString()),
            new MessageWaitingOptions("um.example.test")
            {
                RecountInterval = recountInterval ?? TimeSpan.FromMilliseconds(50),
                Workers = workers,
                CanCount = canCount,
                Resolve = (_, _) => Task.FromResult(new[] { IPAddress.Loopback }),
            }, time ?? TimeProvider.System, rig.Events);
        await agent.StartAsync(CancellationToken.None);
        rig.Notifier.Start();
        return rig;
    }

    public async ValueTask DisposeAsync()
    {
        if (Notifier is not null) await Notifier.DisposeAsync();
        await Agent.DisposeAsync();
    }

    /// <summary>Opens a connection to the agent and sends a SUBSCRIBE for <paramref name="user"/> (Request-URI and To).</summary>
    public async Task<(RawSipConnection Peer, RawSipMessage Response)> SubscribeAsync(string user, string? toUri = null)
    {
        var peer = await RawSipConnection.ConnectAsync(SipEndPoint);
        var local = peer.LocalEndPoint;
        var sb = new StringBuilder();
        sb.Append($"SUBSCRIBE sip:{user}@127.0.0.1:{SipEndPoint.Port} SIP/2.0\r\n");
        sb.Append($"Via: SIP/2.0/TCP 127.0.0.1:{local.Port};branch=z9hG4bK{Guid.NewGuid():N}\r\n");
        sb.Append("Max-Forwards: 70\r\n");
        sb.Append($"From: <sip:{user}@127.0.0.1>;tag=sub{Guid.NewGuid().ToString("N")[..8]}\r\n");
        sb.Append($"To: <{toUri ?? $"sip:{user}@127.0.0.1"}>\r\n");
        sb.Append($"Call-ID: {Guid.NewGuid():N}@gw.test\r\n");
        sb.Append("CSeq: 1 SUBSCRIBE\r\n");
        sb.Append($"Contact: <sip:{user}@127.0.0.1:{local.Port};transport=tcp>\r\n");
        sb.Append("Event: message-summary\r\nExpires: 600\r\nAccept: application/simple-message-summary\r\nContent-Length: 0\r\n\r\n");
        await peer.SendAsync(sb.ToString());
        var response = await peer.ReadUntilAsync(m => m.IsResponse && m.Header("CSeq") == "1 SUBSCRIBE");
        return (peer, response);
    }
}
