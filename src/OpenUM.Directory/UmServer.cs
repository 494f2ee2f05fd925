namespace OpenUM.Directory;

/// <summary>A UM server instance (Exchange Set-UMServer): served dial plans, limits and listeners.</summary>
public sealed record UmServer
{
    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Unique name (1-64 characters, case-insensitive), usually the host name.</summary>
    public required string Name { get; init; }

    /// <summary>Names of the dial plans served; empty = every dial plan (single-server default, RUN-1).</summary>
    public IReadOnlyList<string> DialPlans { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>Operational state.</summary>
    public UmStatus Status { get; init; } = UmStatus.Enabled;

    /// <summary>Maximum concurrent calls (1-10000); calls over it get 503.</summary>
    public int MaxCallsAllowed { get; init; } = 100;

    /// <summary>SIP TCP listening port.</summary>
    public int SipTcpListeningPort { get; init; } = 5060;

    /// <summary>SIP TLS listening port.</summary>
    public int SipTlsListeningPort { get; init; } = 5061;

    /// <summary>Listener choice; Auto derives it from the dial plans.</summary>
    public UmStartupMode StartupMode { get; init; } = UmStartupMode.Auto;

    /// <summary>0 or 1: the mode used when Auto and no dial plan exists.</summary>
    public int StartSecured { get; init; }

    /// <summary>Bound certificate (SHA-1 or SHA-256 hex thumbprint); null = automatic selection (CERT-3).</summary>
    public string? CertificateThumbprint { get; init; }

    /// <summary>
    /// SRTP crypto suites for Secured dial plans, most preferred first (SDES names); empty = the built-in order
    /// (AES_CM_128_HMAC_SHA1_80, AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_256_CM_HMAC_SHA1_80, then the _32 suites).
    /// </summary>
    public IReadOnlyList<string> SrtpCryptoSuites { get; init => field = ValueList<string>.From(value); } = ValueList<string>.Empty;

    /// <summary>SRTP/SRTCP replay window in packets (64-32768, RFC 3711 §3.3.2 minimum 64).</summary>
    public int SrtpReplayWindow { get; init; } = DefaultSrtpReplayWindow;

    /// <summary>The replay window used unless configured.</summary>
    public const int DefaultSrtpReplayWindow = 128;

    /// <summary>
    /// Consecutive in-sequence RTP packets a source must send before a call's audio is taken from it (1-32; as
    /// Asterisk's <c>probation</c>); the address rules are the gateway's <see cref="IpGateway.MediaLatching"/>.
    /// </summary>
    public int RtpProbation { get; init; } = Media.Session.MediaSourcePolicy.DefaultProbation;

    /// <summary>
    /// Accept TLS handshakes from any address (for gateways with dynamic addresses; their certificate still decides).
    /// Off: only addresses of the gateways of secured dial plans (and this server's own) get a handshake.
    /// </summary>
    public bool AllowTlsFromAnyAddress { get; init; }

    /// <summary>A TLS handshake that takes longer is abandoned (1-60 s).</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A SIP message must be complete this long after its first byte, however slowly it trickles in (1-120 s).</summary>
    public TimeSpan SipMessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections one address may hold (1-10000); at the cap its least recently used idle one makes room.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>New connections one address may open per second (1-10000; bursts of twice as many).</summary>
    public int ConnectionRatePerAddress { get; init; } = 50;

    /// <summary>
    /// Free space (MB of 1,048,576 bytes) the data directory's filesystem must keep for a new call to be taken;
    /// 0 = automatic: room for the longest recording of every call in progress and of the new one, with its
    /// delivered copy (see <see cref="RecordingReserveBytes"/>). Below it new calls get 503 (or the dial plan's
    /// announcement); calls in progress continue.
    /// </summary>
    public int MinFreeSpaceMB { get; init; }

    /// <summary>Free inodes the data directory's filesystem must keep for a new call; 0 = automatic (<see cref="InodesPerCall"/> per call in progress and new).</summary>
    public int MinFreeInodes { get; init; }

    /// <summary>Largest MinFreeSpaceMB: 1 TiB.</summary>
    public const int MaxMinFreeSpaceMB = 1024 * 1024;

    /// <summary>Largest MinFreeInodes.</summary>
    public const int MaxMinFreeInodes = 1_000_000_000;

    /// <summary>Inodes one call may need: its WAV and description in the spool, the delivered message and its temporary file, an outbox item.</summary>
    public const int InodesPerCall = 32;

    /// <summary>A recording's bytes per second: 8 kHz 16-bit mono PCM WAV (what the recorder writes).</summary>
    public const int RecordingBytesPerSecond = 16_000;

    /// <summary>
    /// Bytes one call may need to land its message: the WAV in the spool (<see cref="RecordingBytesPerSecond"/>
    /// for <paramref name="maxRecording"/>, plus the recorder's 0.5 s allowance and the header) and, while it is
    /// delivered, its base64 copy in the maildir or outbox (4/3, with a CRLF every 76 characters, plus 64 KB of
    /// headers): about 2.37 times the recording, 43.4 MB (45.6 million bytes) for the default 20 minutes.
    /// </summary>
    public static long RecordingReserveBytes(TimeSpan maxRecording)
    {
        long wav = (long)Math.Ceiling((maxRecording.TotalSeconds + 0.5) * RecordingBytesPerSecond) + 44;
        long base64 = (wav + 2) / 3 * 4;
        long mime = base64 + base64 / 76 * 2 + 64 * 1024;
        return wav + mime;
    }

    /// <summary>Smart host (SMTP hub) as HOST:PORT for voice message delivery (DLV-2); null = the local maildir (DLV-3).</summary>
    public string? SmartHost { get; init; }

    /// <summary>How the connection to the smart host is secured.</summary>
    public SmartHostTls SmartHostTls { get; init; } = SmartHostTls.StartTls;

    /// <summary>Present the server certificate as TLS client certificate to the smart host (mutual TLS).</summary>
    public bool SmartHostClientCertificate { get; init; } = true;

    /// <summary>SMTP AUTH user name; null = no SMTP AUTH.</summary>
    public string? SmartHostUser { get; init; }

    /// <summary>File holding the SMTP AUTH password (first line), so the secret stays out of the store.</summary>
    public string? SmartHostPasswordFile { get; init; }

    /// <summary>Delay before the first retry; doubles (with jitter) up to <see cref="SmartHostMaxRetryInterval"/>.</summary>
    public TimeSpan SmartHostRetryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest delay between two attempts.</summary>
    public TimeSpan SmartHostMaxRetryInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a message the smart host keeps deferring (4xx) is retried before it becomes a dead letter.</summary>
    public TimeSpan SmartHostMessageExpiry { get; init; } = TimeSpan.FromDays(2);

    /// <summary>
    /// IMAP server (HOST:PORT) holding the users' real mailboxes, where subscriber access and Play on Phone read voice
    /// messages; null = no IMAP store (the local maildir, or no readable messages when a smart host is set).
    /// </summary>
    public string? ImapHost { get; init; }

    /// <summary>How the IMAP connection is secured (never a plain connection: the service password would travel in clear).</summary>
    public ImapTls ImapTls { get; init; } = ImapTls.StartTls;

    /// <summary>Present the server certificate as TLS client certificate to the IMAP server (mutual TLS).</summary>
    public bool ImapClientCertificate { get; init; }

    /// <summary>The service identity that logs in for every mailbox (a Dovecot master user, an Exchange/Cyrus proxy user).</summary>
    public string? ImapUser { get; init; }

    /// <summary>File holding the service identity's password (first line, read at each connect), so the secret stays out of the store.</summary>
    public string? ImapPasswordFile { get; init; }

    /// <summary>How the service identity opens a user's mailbox.</summary>
    public ImapLogin ImapLogin { get; init; } = ImapLogin.MasterUserSeparator;

    /// <summary>Separator between mailbox and service user for <see cref="ImapLogin.MasterUserSeparator"/> (Dovecot's auth_master_user_separator).</summary>
    public string ImapMasterUserSeparator { get; init; } = DefaultImapMasterUserSeparator;

    /// <summary>The separator used unless configured.</summary>
    public const string DefaultImapMasterUserSeparator = "*";

    /// <summary>The folder voice messages are delivered to and read from.</summary>
    public string ImapFolder { get; init; } = DefaultImapFolder;

    /// <summary>The folder used unless configured.</summary>
    public const string DefaultImapFolder = "INBOX";

    /// <summary>What deleting a voice message by phone does in the IMAP store.</summary>
    public ImapDeleteAction ImapDeleteAction { get; init; } = ImapDeleteAction.MoveToTrash;

    /// <summary>Folder deleted messages are moved to; empty = the folder marked \Trash (RFC 6154 SPECIAL-USE).</summary>
    public string ImapTrashFolder { get; init; } = "";
}

/// <summary>How the IMAP connection is secured (both need TLS 1.2 or later).</summary>
public enum ImapTls
{
    /// <summary>Plain connection upgraded with STARTTLS before the login (usually port 143).</summary>
    StartTls,
    /// <summary>TLS from the first byte (IMAPS, usually port 993).</summary>
    Implicit,
}

/// <summary>How the service identity logs in to a user's mailbox.</summary>
public enum ImapLogin
{
    /// <summary>User name "mailbox{separator}service" with the service password (Dovecot master users).</summary>
    MasterUserSeparator,
    /// <summary>SASL PLAIN with the mailbox as authorization identity (RFC 4616; Dovecot, Cyrus and proxy-capable servers).</summary>
    SaslAuthorizationId,
}

/// <summary>What deleting a voice message by phone does in the IMAP store.</summary>
public enum ImapDeleteAction
{
    /// <summary>Move it to the trash folder, where the user can still recover it.</summary>
    MoveToTrash,
    /// <summary>Mark it \Deleted and expunge exactly that message (UID EXPUNGE, RFC 4315).</summary>
    Expunge,
}

/// <summary>How the SMTP connection to the smart host is secured (both need TLS 1.2 or later).</summary>
public enum SmartHostTls
{
    /// <summary>Plain connection upgraded with STARTTLS before anything is sent (usually port 25 or 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    Implicit,
}
