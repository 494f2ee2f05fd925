using System.CommandLine;
using OpenUM.Directory;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>`openum server set|get` (Set-/Get-UMServer) for this machine's UmServer object.</summary>
internal static class ServerCommands
{
    private static Fields<UmServer> Fields() => new Fields<UmServer>()
        .Add<int>("--max-calls-allowed", "Most concurrent calls; more get 503 with Retry-After", (s, v) => s with { MaxCallsAllowed = v })
        .Add<UmStatus>("--status", "Enabled, Disabled or NoNewCalls", (s, v) => s with { Status = v })
        .Add<int>("--sip-tcp-listening-port", "SIP TCP port (default 5060)", (s, v) => s with { SipTcpListeningPort = v })
        .Add<int>("--sip-tls-listening-port", "SIP TLS port (default 5061)", (s, v) => s with { SipTlsListeningPort = v })
        .AddList("--dial-plans", "Dial plans this server serves (none = all)", (s, v) => s with { DialPlans = v })
        .Add<UmStartupMode>("--um-startup-mode", "Auto, Tcp, Tls or Dual", (s, v) => s with { StartupMode = v }, field: OpenUM.Directory.ConfigurationFields.StartupMode)
        .Add<int>("--start-secured", "1 = listen on TLS when the server has no dial plan (Auto mode), 0 = TCP", (s, v) => s with { StartSecured = v })
        .AddList("--srtp-crypto-suites", "SRTP suites for Secured dial plans, most preferred first, e.g. AES_CM_128_HMAC_SHA1_80 (none = built-in order: AES_CM_128_HMAC_SHA1_80 first, then the strongest)", (s, v) => s with { SrtpCryptoSuites = v })
        .Add<int>("--srtp-replay-window", "SRTP/SRTCP replay window in packets, 64-32768 (default 128)", (s, v) => s with { SrtpReplayWindow = v })
        .Add<int>("--rtp-probation", "RTP packets in sequence a source must send before a call's audio is taken from it, 1-32 (default 4); which addresses may send is the gateway's --media-latching", (s, v) => s with { RtpProbation = v })
        .Add<int>("--min-free-space-mb", "Free MB (of 1,048,576 bytes) the data directory's filesystem must keep for a new call, else 503 with Retry-After (or the dial plan's --storage-full-action); 0 = automatic (default): for each call in progress and the next, the longest recording its dial plans allow (dialplan --max-recording-duration) as the 16 kB/s WAV the recorder writes plus its base64 copy on delivery: 43.4 MB a call at the default 20 minutes", (s, v) => s with { MinFreeSpaceMB = v })
        .Add<int>("--min-free-inodes", "Free inodes the data directory's filesystem must keep for a new call; 0 = automatic (default): 32 per call in progress and the next", (s, v) => s with { MinFreeInodes = v })
        .Add<bool>("--allow-tls-from-any-address", "Give a TLS handshake to any address, for gateways with dynamic addresses (default false: only the addresses of the gateways of secured dial plans); the certificate still decides", (s, v) => s with { AllowTlsFromAnyAddress = v })
        .Add<int>("--tls-handshake-timeout", "Seconds a TLS handshake may take, 1-60 (default 10)", (s, v) => s with { TlsHandshakeTimeout = TimeSpan.FromSeconds(v) })
        .Add<int>("--sip-message-timeout", "Seconds a SIP message may take to arrive once its first byte has, 1-120 (default 10)", (s, v) => s with { SipMessageTimeout = TimeSpan.FromSeconds(v) })
        .Add<int>("--max-connections-per-address", "Connections one address may hold, 1-10000 (default 64); at the cap its least recently used idle one is closed for the new one", (s, v) => s with { MaxConnectionsPerAddress = v })
        .Add<int>("--connection-rate-per-address", "New connections one address may open per second, 1-10000 (default 50, bursts of twice as many)", (s, v) => s with { ConnectionRatePerAddress = v })
        .Add<string>("--smart-host", "SMTP smart host HOST:PORT for voice messages; \"\" = none (local maildir)", (s, v) => s with { SmartHost = string.IsNullOrEmpty(v) ? null : v })
        .Add<SmartHostTls>("--smart-host-tls", "StartTls (default) or Implicit; TLS 1.2 or later either way", (s, v) => s with { SmartHostTls = v })
        .Add<bool>("--smart-host-client-certificate", "Present the server certificate as TLS client certificate (default true)", (s, v) => s with { SmartHostClientCertificate = v })
        .Add<string>("--smart-host-user", "SMTP AUTH user; \"\" = no SMTP AUTH", (s, v) => s with { SmartHostUser = string.IsNullOrEmpty(v) ? null : v })
        .Add<string>("--smart-host-password-file", "Absolute path of a file holding the SMTP AUTH password", (s, v) => s with { SmartHostPasswordFile = string.IsNullOrEmpty(v) ? null : v }, serverPath: OptionFields.AnyValue)
        .Add<int>("--smart-host-retry-interval", "Seconds before the first retry; doubles with jitter (default 30)", (s, v) => s with { SmartHostRetryInterval = TimeSpan.FromSeconds(v) })
        .Add<int>("--smart-host-max-retry-interval", "Longest wait between retries in seconds (default 600)", (s, v) => s with { SmartHostMaxRetryInterval = TimeSpan.FromSeconds(v) })
        .Add<int>("--smart-host-message-expiry", "Hours a message the smart host keeps deferring is retried before it becomes a dead letter (default 48)", (s, v) => s with { SmartHostMessageExpiry = TimeSpan.FromHours(v) })
        .Add<string>("--imap-host", "IMAP server HOST:PORT holding the users' mailboxes, read by subscriber access and Play on Phone; \"\" = none (the local maildir, or no messages to read when a smart host is set)", (s, v) => s with { ImapHost = string.IsNullOrEmpty(v) ? null : v })
        .Add<ImapTls>("--imap-tls", "StartTls (default, port 143) or Implicit (993); TLS 1.2 or later either way, never a plain connection", (s, v) => s with { ImapTls = v })
        .Add<bool>("--imap-client-certificate", "Present the server certificate as TLS client certificate to the IMAP server (default false)", (s, v) => s with { ImapClientCertificate = v })
        .Add<string>("--imap-user", "Service identity that opens every mailbox, e.g. a Dovecot master user; \"\" = none", (s, v) => s with { ImapUser = string.IsNullOrEmpty(v) ? null : v })
        .Add<string>("--imap-password-file", "Absolute path of a file whose first line is the service identity's password (read at each connection; never stored)", (s, v) => s with { ImapPasswordFile = string.IsNullOrEmpty(v) ? null : v }, serverPath: OptionFields.AnyValue)
        .Add<ImapLogin>("--imap-login", "MasterUserSeparator (default: user name MAILBOX<separator>USER, Dovecot master users) or SaslAuthorizationId (SASL PLAIN with the mailbox as authorization identity)", (s, v) => s with { ImapLogin = v })
        .Add<string>("--imap-master-user-separator", "Separator of MasterUserSeparator logins, 1-4 characters (default *, Dovecot's auth_master_user_separator)", (s, v) => s with { ImapMasterUserSeparator = v })
        .Add<string>("--imap-folder", "Folder voice messages are read from (default INBOX)", (s, v) => s with { ImapFolder = v })
        .Add<ImapDeleteAction>("--imap-delete-action", "What deleting a message by phone does: MoveToTrash (default) or Expunge (only that message, UID EXPUNGE)", (s, v) => s with { ImapDeleteAction = v })
        .Add<string>("--imap-trash-folder", "Folder deleted messages are moved to; \"\" = the folder the server marks \\Trash (default)", (s, v) => s with { ImapTrashFolder = v });

    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Server name (default: this machine's host name)", DefaultValueFactory = _ => Environment.MachineName };
        var fields = Fields();
        var set = new Command("set", "Change this UM server's settings.\nExample: openum server set --max-calls-allowed 50") { name };
        var apply = fields.AddTo(set);
        set.SetAction(result => CliContext.Run(result, (store, data) =>
        {
            var server = DemoConfiguration.EnsureServer(store, result.GetValue(name)!);
            server = apply(server, result);
            CliContext.Audit(data, store.UpdateUmServer(server));
            CliContext.PrintOne(result, server);
            return 0;
        }));
        var get = new Command("get", "Show the UM servers.\nExample: openum server get --json") { name };
        get.SetAction(result => CliContext.Run(result, (store, _) =>
        {
            CliContext.Print(result, store.Load().UmServers,
                ("Name", s => s.Name), ("Status", s => s.Status), ("MaxCallsAllowed", s => s.MaxCallsAllowed),
                ("SipTcpListeningPort", s => s.SipTcpListeningPort), ("SipTlsListeningPort", s => s.SipTlsListeningPort),
                ("StartupMode", s => s.StartupMode), ("DialPlans", s => s.DialPlans),
                ("AllowTlsFromAnyAddress", s => s.AllowTlsFromAnyAddress), ("RtpProbation", s => s.RtpProbation),
                ("MinFreeSpaceMB", s => s.MinFreeSpaceMB), ("MinFreeInodes", s => s.MinFreeInodes),
                ("ImapHost", s => s.ImapHost));
            return 0;
        }));
        return new Command("server", "Manage UM servers.") { set, get };
    }
}
