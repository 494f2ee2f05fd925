namespace OpenUM.Directory;

/// <summary>
/// Field names reported by <see cref="ConfigurationValidationException.Field"/>: the kebab-case CLI
/// option names, which follow the Exchange cmdlet parameters (SPEC §10).
/// </summary>
public static class ConfigurationFields
{
    /// <summary>Object name (every type).</summary>
    public const string Name = "name";
    /// <summary>DialPlan.NumberOfDigitsInExtension.</summary>
    public const string NumberOfDigitsInExtension = "number-of-digits-in-extension";
    /// <summary>DialPlan.UriType.</summary>
    public const string UriType = "uri-type";
    /// <summary>DialPlan.VoipSecurity.</summary>
    public const string VoipSecurity = "voip-security";
    /// <summary>DialPlan.AccessTelephoneNumbers.</summary>
    public const string AccessTelephoneNumbers = "access-telephone-numbers";
    /// <summary>DialPlan.CountryOrRegionCode.</summary>
    public const string CountryOrRegionCode = "country-or-region-code";
    /// <summary>DialPlan.OutsideLineAccessCode.</summary>
    public const string OutsideLineAccessCode = "outside-line-access-code";
    /// <summary>DialPlan.InternationalAccessCode.</summary>
    public const string InternationalAccessCode = "international-access-code";
    /// <summary>DialPlan.NationalNumberPrefix.</summary>
    public const string NationalNumberPrefix = "national-number-prefix";
    /// <summary>DialPlan.MaxCallDuration.</summary>
    public const string MaxCallDuration = "max-call-duration";
    /// <summary>DialPlan.MaxRecordingDuration.</summary>
    public const string MaxRecordingDuration = "max-recording-duration";
    /// <summary>DialPlan.RecordingIdleTimeout.</summary>
    public const string RecordingIdleTimeout = "recording-idle-timeout";
    /// <summary>DialPlan.LogonFailuresBeforeDisconnect.</summary>
    public const string LogonFailuresBeforeDisconnect = "logon-failures-before-disconnect";
    /// <summary>DialPlan.OperatorExtension.</summary>
    public const string OperatorExtension = "operator-extension";
    /// <summary>DialPlan.StorageFullAction.</summary>
    public const string StorageFullAction = "storage-full-action";
    /// <summary>IpGateway.Address.</summary>
    public const string Address = "address";
    /// <summary>IpGateway.Port.</summary>
    public const string Port = "port";
    /// <summary>Enum-valued status of gateways and servers.</summary>
    public const string Status = "status";
    /// <summary>IpGateway.IPAddressFamily.</summary>
    public const string IPAddressFamily = "ip-address-family";
    /// <summary>IpGateway.MediaLatching.</summary>
    public const string MediaLatching = "media-latching";
    /// <summary>HuntGroup.IpGateway.</summary>
    public const string IpGateway = "ip-gateway";
    /// <summary>HuntGroup.DialPlan and Mailbox.DialPlan.</summary>
    public const string DialPlan = "dial-plan";
    /// <summary>HuntGroup.PilotIdentifier.</summary>
    public const string PilotIdentifier = "pilot-identifier";
    /// <summary>UmServer.DialPlans.</summary>
    public const string DialPlans = "dial-plans";
    /// <summary>UmServer.MaxCallsAllowed.</summary>
    public const string MaxCallsAllowed = "max-calls-allowed";
    /// <summary>UmServer.SipTcpListeningPort.</summary>
    public const string SipTcpListeningPort = "sip-tcp-listening-port";
    /// <summary>UmServer.SipTlsListeningPort.</summary>
    public const string SipTlsListeningPort = "sip-tls-listening-port";
    /// <summary>UmServer.StartupMode.</summary>
    public const string StartupMode = "startup-mode";
    /// <summary>UmServer.StartSecured.</summary>
    public const string StartSecured = "start-secured";
    /// <summary>UmServer.CertificateThumbprint.</summary>
    public const string CertificateThumbprint = "certificate-thumbprint";
    /// <summary>UmServer.SrtpCryptoSuites.</summary>
    public const string SrtpCryptoSuites = "srtp-crypto-suites";
    /// <summary>UmServer.SrtpReplayWindow.</summary>
    public const string SrtpReplayWindow = "srtp-replay-window";
    /// <summary>UmServer.RtpProbation.</summary>
    public const string RtpProbation = "rtp-probation";
    /// <summary>UmServer.MinFreeSpaceMB.</summary>
    public const string MinFreeSpaceMB = "min-free-space-mb";
    /// <summary>UmServer.MinFreeInodes.</summary>
    public const string MinFreeInodes = "min-free-inodes";
    /// <summary>UmServer.AllowTlsFromAnyAddress.</summary>
    public const string AllowTlsFromAnyAddress = "allow-tls-from-any-address";
    /// <summary>UmServer.TlsHandshakeTimeout.</summary>
    public const string TlsHandshakeTimeout = "tls-handshake-timeout";
    /// <summary>UmServer.SipMessageTimeout.</summary>
    public const string SipMessageTimeout = "sip-message-timeout";
    /// <summary>UmServer.MaxConnectionsPerAddress.</summary>
    public const string MaxConnectionsPerAddress = "max-connections-per-address";
    /// <summary>UmServer.ConnectionRatePerAddress.</summary>
    public const string ConnectionRatePerAddress = "connection-rate-per-address";
    /// <summary>UmServer.SmartHost.</summary>
    public const string SmartHost = "smart-host";
    /// <summary>UmServer.SmartHostTls.</summary>
    public const string SmartHostTls = "smart-host-tls";
    /// <summary>UmServer.SmartHostUser.</summary>
    public const string SmartHostUser = "smart-host-user";
    /// <summary>UmServer.SmartHostPasswordFile.</summary>
    public const string SmartHostPasswordFile = "smart-host-password-file";
    /// <summary>UmServer.SmartHostRetryInterval.</summary>
    public const string SmartHostRetryInterval = "smart-host-retry-interval";
    /// <summary>UmServer.SmartHostMaxRetryInterval.</summary>
    public const string SmartHostMaxRetryInterval = "smart-host-max-retry-interval";
    /// <summary>UmServer.SmartHostMessageExpiry.</summary>
    public const string SmartHostMessageExpiry = "smart-host-message-expiry";
    /// <summary>UmServer.ImapHost.</summary>
    public const string ImapHost = "imap-host";
    /// <summary>UmServer.ImapTls.</summary>
    public const string ImapTls = "imap-tls";
    /// <summary>UmServer.ImapClientCertificate.</summary>
    public const string ImapClientCertificate = "imap-client-certificate";
    /// <summary>UmServer.ImapUser.</summary>
    public const string ImapUser = "imap-user";
    /// <summary>UmServer.ImapPasswordFile.</summary>
    public const string ImapPasswordFile = "imap-password-file";
    /// <summary>UmServer.ImapLogin.</summary>
    public const string ImapLogin = "imap-login";
    /// <summary>UmServer.ImapMasterUserSeparator.</summary>
    public const string ImapMasterUserSeparator = "imap-master-user-separator";
    /// <summary>UmServer.ImapFolder.</summary>
    public const string ImapFolder = "imap-folder";
    /// <summary>UmServer.ImapDeleteAction.</summary>
    public const string ImapDeleteAction = "imap-delete-action";
    /// <summary>UmServer.ImapTrashFolder.</summary>
    public const string ImapTrashFolder = "imap-trash-folder";
    /// <summary>Mailbox.Extension.</summary>
    public const string Extension = "extension";
    /// <summary>Mailbox.DisplayName.</summary>
    public const string DisplayName = "display-name";
    /// <summary>Mailbox.EmailAddress.</summary>
    public const string Email = "email";
    /// <summary>Mailbox.SipUri.</summary>
    public const string SipUri = "sip-uri";
    /// <summary>Mailbox.MailboxPolicy.</summary>
    public const string MailboxPolicy = "mailbox-policy";
    /// <summary>MailboxPolicy.AllowPlayOnPhone.</summary>
    public const string AllowPlayOnPhone = "allow-play-on-phone";
    /// <summary>MailboxPolicy.AllowSubscriberAccess.</summary>
    public const string AllowSubscriberAccess = "allow-subscriber-access";
    /// <summary>MailboxPolicy.MinPinLength.</summary>
    public const string MinPinLength = "min-pin-length";
    /// <summary>MailboxPolicy.PinLifetime.</summary>
    public const string PinLifetime = "pin-lifetime";
    /// <summary>MailboxPolicy.PinHistoryCount.</summary>
    public const string PinHistoryCount = "pin-history-count";
    /// <summary>MailboxPolicy.AllowCommonPatterns.</summary>
    public const string AllowCommonPatterns = "allow-common-patterns";
    /// <summary>MailboxPolicy.LogonFailuresBeforePinReset.</summary>
    public const string LogonFailuresBeforePinReset = "logon-failures-before-pin-reset";
    /// <summary>MailboxPolicy.MaxLogonAttempts.</summary>
    public const string MaxLogonAttempts = "max-logon-attempts";
    /// <summary>The PIN given to mailbox set-pin.</summary>
    public const string Pin = "pin";
    /// <summary>DialPlan.DefaultLanguage.</summary>
    public const string DefaultLanguage = "default-language";
    /// <summary>Mailbox.Language.</summary>
    public const string Language = "language";
    /// <summary>Mailbox.GreetingFile.</summary>
    public const string GreetingFile = "greeting-file";
    /// <summary>DialPlan.FaxEnabled.</summary>
    public const string FaxEnabled = "fax-enabled";
    /// <summary>MailboxPolicy.AllowFax.</summary>
    public const string AllowFax = "allow-fax";
    /// <summary>MailboxPolicy.FaxServerUri.</summary>
    public const string FaxServerUri = "fax-server-uri";
}
