namespace OpenUM.Directory;

/// <summary>Security level of a dial plan (Exchange <c>VoIPSecurity</c>): signalling and media protection.</summary>
public enum VoipSecurity
{
    /// <summary>SIP over TCP and RTP, both in clear (port 5060).</summary>
    Unsecured,
    /// <summary>SIP over mutual TLS (port 5061), RTP in clear.</summary>
    SipSecured,
    /// <summary>SIP over mutual TLS and SRTP media.</summary>
    Secured,
}

/// <summary>URI form used in SIP messages with the gateway (Exchange <c>URIType</c>).</summary>
public enum UmUriType
{
    /// <summary>Telephone extension.</summary>
    TelExtn,
    /// <summary>E.164 number.</summary>
    E164,
    /// <summary>SIP URI (user@domain).</summary>
    SipName,
}

/// <summary>Operational state of an IP gateway or UM server.</summary>
public enum UmStatus
{
    /// <summary>Takes calls.</summary>
    Enabled,
    /// <summary>Takes no calls.</summary>
    Disabled,
    /// <summary>Refuses new calls; calls in progress continue.</summary>
    NoNewCalls,
}

/// <summary>Which IP families a gateway is reached over.</summary>
public enum IPAddressFamily
{
    /// <summary>IPv4 only.</summary>
    IPv4Only,
    /// <summary>IPv6 only.</summary>
    IPv6Only,
    /// <summary>Both; IPv6 preferred.</summary>
    Any,
}

/// <summary>Listener choice of a UM server (SPEC RUN-1); Auto derives it from the dial plans.</summary>
public enum UmStartupMode
{
    /// <summary>Derived from the served dial plans (all unsecured: Tcp; all secured: Tls; mixed: Dual).</summary>
    Auto,
    /// <summary>SIP over TCP only.</summary>
    Tcp,
    /// <summary>SIP over TLS only.</summary>
    Tls,
    /// <summary>TCP and TLS listeners at the same time.</summary>
    Dual,
}

/// <summary>The kinds of configuration objects held by a store.</summary>
public enum ConfigurationObjectType
{
    /// <summary><see cref="Directory.DialPlan"/>.</summary>
    DialPlan,
    /// <summary><see cref="Directory.IpGateway"/>.</summary>
    IpGateway,
    /// <summary><see cref="Directory.HuntGroup"/>.</summary>
    HuntGroup,
    /// <summary><see cref="Directory.UmServer"/>.</summary>
    UmServer,
    /// <summary><see cref="Directory.Mailbox"/>.</summary>
    Mailbox,
    /// <summary><see cref="Directory.MailboxPolicy"/>.</summary>
    MailboxPolicy,
    /// <summary><see cref="Directory.AutoAttendant"/>.</summary>
    AutoAttendant,
}

/// <summary>What a committed mutation did.</summary>
public enum ConfigurationChangeKind
{
    /// <summary>The object was created.</summary>
    Added,
    /// <summary>The object was changed.</summary>
    Updated,
    /// <summary>The object was deleted.</summary>
    Removed,
}
