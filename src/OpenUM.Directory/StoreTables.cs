using static OpenUM.Directory.StoreValues;
using Schedules = OpenUM.Directory.AutoAttendants;

namespace OpenUM.Directory;

/// <summary>The tables of the seven object kinds and the conversions between rows and records, for both stores.</summary>
internal static class StoreTables
{
    public static readonly StoreTable<DialPlan> DialPlans = new(
        "dial_plans",
        ["id", "name", "number_of_digits_in_extension", "uri_type", "voip_security", Json("access_telephone_numbers"),
         "country_or_region_code", "outside_line_access_code", "international_access_code", "national_number_prefix",
         "allow_dial_plan_subscribers", "allow_extensions", "max_call_duration_ms", "max_recording_duration_ms",
         "recording_idle_timeout_ms", "logon_failures_before_disconnect", "operator_extension",
         Json("configured_in_country_or_region_groups"), Json("configured_international_groups"),
         Json("allowed_in_country_or_region_groups"), Json("allowed_international_groups"), "storage_full_action", "fax_enabled",
         "default_language"],
        r => new DialPlan
        {
            Id = r.GetGuid(0),
            Name = r.GetString(1),
            NumberOfDigitsInExtension = r.GetInt32(2),
            UriType = ParseEnum<UmUriType>(r.GetString(3)),
            VoipSecurity = ParseEnum<VoipSecurity>(r.GetString(4)),
            AccessTelephoneNumbers = ParseList(r.GetString(5)),
            CountryOrRegionCode = NullableString(r, 6),
            OutsideLineAccessCode = r.GetString(7),
            InternationalAccessCode = NullableString(r, 8),
            NationalNumberPrefix = NullableString(r, 9),
            AllowDialPlanSubscribers = r.GetBoolean(10),
            AllowExtensions = r.GetBoolean(11),
            MaxCallDuration = TimeSpan.FromMilliseconds(r.GetInt64(12)),
            MaxRecordingDuration = TimeSpan.FromMilliseconds(r.GetInt64(13)),
            RecordingIdleTimeout = TimeSpan.FromMilliseconds(r.GetInt64(14)),
            LogonFailuresBeforeDisconnect = r.GetInt32(15),
            OperatorExtension = NullableString(r, 16),
            ConfiguredInCountryOrRegionGroups = Dialing.DialingRuleJson.Parse(r.GetString(17)),
            ConfiguredInternationalGroups = Dialing.DialingRuleJson.Parse(r.GetString(18)),
            AllowedInCountryOrRegionGroups = ParseList(r.GetString(19)),
            AllowedInternationalGroups = ParseList(r.GetString(20)),
            StorageFullAction = ParseEnum<StorageFullAction>(r.GetString(21)),
            FaxEnabled = r.GetBoolean(22),
            DefaultLanguage = r.GetString(23),
        },
        d => [d.Id, d.Name, d.NumberOfDigitsInExtension, d.UriType.ToString(), d.VoipSecurity.ToString(),
              FormatList(d.AccessTelephoneNumbers), d.CountryOrRegionCode, d.OutsideLineAccessCode, d.InternationalAccessCode,
              d.NationalNumberPrefix, d.AllowDialPlanSubscribers, d.AllowExtensions, Milliseconds(d.MaxCallDuration),
              Milliseconds(d.MaxRecordingDuration), Milliseconds(d.RecordingIdleTimeout), d.LogonFailuresBeforeDisconnect,
              d.OperatorExtension, Dialing.DialingRuleJson.Format(d.ConfiguredInCountryOrRegionGroups),
              Dialing.DialingRuleJson.Format(d.ConfiguredInternationalGroups), FormatList(d.AllowedInCountryOrRegionGroups),
              FormatList(d.AllowedInternationalGroups), d.StorageFullAction.ToString(), d.FaxEnabled, d.DefaultLanguage]);

    public static readonly StoreTable<IpGateway> IpGateways = new(
        "ip_gateways",
        ["id", "name", "address", "port", "status", "outcalls_allowed", "message_waiting_indicator_allowed", "ip_address_family",
         "media_latching"],
        r => new IpGateway
        {
            Id = r.GetGuid(0),
            Name = r.GetString(1),
            Address = r.GetString(2),
            Port = r.GetInt32(3),
            Status = ParseEnum<UmStatus>(r.GetString(4)),
            OutcallsAllowed = r.GetBoolean(5),
            MessageWaitingIndicatorAllowed = r.GetBoolean(6),
            IPAddressFamily = ParseEnum<IPAddressFamily>(r.GetString(7)),
            MediaLatching = ParseEnum<Media.Session.MediaLatching>(r.GetString(8)),
        },
        g => [g.Id, g.Name, g.Address, g.Port, g.Status.ToString(), g.OutcallsAllowed, g.MessageWaitingIndicatorAllowed,
              g.IPAddressFamily.ToString(), g.MediaLatching.ToString()]);

    public static readonly StoreTable<HuntGroup> HuntGroups = new(
        "hunt_groups",
        ["id", "name", "ip_gateway", "dial_plan", "pilot_identifier"],
        r => new HuntGroup
        {
            Id = r.GetGuid(0),
            Name = r.GetString(1),
            IpGateway = r.GetString(2),
            DialPlan = r.GetString(3),
            PilotIdentifier = NullableString(r, 4),
        },
        h => [h.Id, h.Name, h.IpGateway, h.DialPlan, h.PilotIdentifier]);

    public static readonly StoreTable<UmServer> UmServers = new(
        "um_servers",
        ["id", "name", Json("dial_plans"), "status", "max_calls_allowed", "sip_tcp_listening_port", "sip_tls_listening_port",
         "startup_mode", "start_secured", "certificate_thumbprint", Json("srtp_crypto_suites"), "srtp_replay_window",
         "smart_host", "smart_host_tls", "smart_host_client_certificate", "smart_host_user", "smart_host_password_file",
         "smart_host_retry_interval_ms", "smart_host_max_retry_interval_ms", "smart_host_message_expiry_ms",
         "allow_tls_from_any_address", "tls_handshake_timeout_ms", "sip_message_timeout_ms", "max_connections_per_address",
         "connection_rate_per_address", "rtp_probation", "min_free_space_mb", "min_free_inodes",
         "imap_host", "imap_tls", "imap_client_certificate", "imap_user", "imap_password_file", "imap_login",
         "imap_master_user_separator", "imap_folder", "imap_delete_action", "imap_trash_folder"],
        r => new UmServer
        {
            Id = r.GetGuid(0),
            Name = r.GetString(1),
            DialPlans = ParseList(r.GetString(2)),
            Status = ParseEnum<UmStatus>(r.GetString(3)),
            MaxCallsAllowed = r.GetInt32(4),
            SipTcpListeningPort = r.GetInt32(5),
            SipTlsListeningPort = r.GetInt32(6),
            StartupMode = ParseEnum<UmStartupMode>(r.GetString(7)),
            StartSecured = r.GetInt32(8),
            CertificateThumbprint = NullableString(r, 9),
            SrtpCryptoSuites = ParseList(r.GetString(10)),
            SrtpReplayWindow = r.GetInt32(11),
            SmartHost = NullableString(r, 12),
            SmartHostTls = ParseEnum<SmartHostTls>(r.GetString(13)),
            SmartHostClientCertificate = r.GetBoolean(14),
            SmartHostUser = NullableString(r, 15),
            SmartHostPasswordFile = NullableString(r, 16),
            SmartHostRetryInterval = TimeSpan.FromMilliseconds(r.GetInt64(17)),
            SmartHostMaxRetryInterval = TimeSpan.FromMilliseconds(r.GetInt64(18)),
            SmartHostMessageExpiry = TimeSpan.FromMilliseconds(r.GetInt64(19)),
            AllowTlsFromAnyAddress = r.GetBoolean(20),
            TlsHandshakeTimeout = TimeSpan.FromMilliseconds(r.GetInt64(21)),
            SipMessageTimeout = TimeSpan.FromMilliseconds(r.GetInt64(22)),
            MaxConnectionsPerAddress = r.GetInt32(23),
            ConnectionRatePerAddress = r.GetInt32(24),
            RtpProbation = r.GetInt32(25),
            MinFreeSpaceMB = r.GetInt32(26),
            MinFreeInodes = r.GetInt32(27),
            ImapHost = NullableString(r, 28),
            ImapTls = ParseEnum<ImapTls>(r.GetString(29)),
            ImapClientCertificate = r.GetBoolean(30),
            ImapUser = NullableString(r, 31),
            ImapPasswordFile = NullableString(r, 32),
            ImapLogin = ParseEnum<ImapLogin>(r.GetString(33)),
            ImapMasterUserSeparator = r.GetString(34),
            ImapFolder = r.GetString(35),
            ImapDeleteAction = ParseEnum<ImapDeleteAction>(r.GetString(36)),
            ImapTrashFolder = r.GetString(37),
        },
        s => [s.Id, s.Name, FormatList(s.DialPlans), s.Status.ToString(), s.MaxCallsAllowed, s.SipTcpListeningPort,
              s.SipTlsListeningPort, s.StartupMode.ToString(), s.StartSecured, s.CertificateThumbprint,
              FormatList(s.SrtpCryptoSuites), s.SrtpReplayWindow,
              s.SmartHost, s.SmartHostTls.ToString(), s.SmartHostClientCertificate, s.SmartHostUser, s.SmartHostPasswordFile,
              Milliseconds(s.SmartHostRetryInterval), Milliseconds(s.SmartHostMaxRetryInterval), Milliseconds(s.SmartHostMessageExpiry),
              s.AllowTlsFromAnyAddress, Milliseconds(s.TlsHandshakeTimeout), Milliseconds(s.SipMessageTimeout), s.MaxConnectionsPerAddress,
              s.ConnectionRatePerAddress, s.RtpProbation, s.MinFreeSpaceMB, s.MinFreeInodes,
              s.ImapHost, s.ImapTls.ToString(), s.ImapClientCertificate, s.ImapUser, s.ImapPasswordFile, s.ImapLogin.ToString(),
              s.ImapMasterUserSeparator, s.ImapFolder, s.ImapDeleteAction.ToString(), s.ImapTrashFolder]);

    public static readonly StoreTable<Mailbox> Mailboxes = new(
        "mailboxes",
        ["id", "dial_plan", "extension", "display_name", "email_address", "sip_uri", "mailbox_policy", "greeting_file", "away", "language"],
        r => new Mailbox
        {
            Id = r.GetGuid(0),
            DialPlan = r.GetString(1),
            Extension = r.GetString(2),
            DisplayName = r.GetString(3),
            EmailAddress = r.GetString(4),
            SipUri = NullableString(r, 5),
            MailboxPolicy = NullableString(r, 6),
            GreetingFile = NullableString(r, 7),
            Away = r.GetBoolean(8),
            Language = NullableString(r, 9),
        },
        m => [m.Id, m.DialPlan, m.Extension, m.DisplayName, m.EmailAddress, m.SipUri, m.MailboxPolicy, m.GreetingFile, m.Away, m.Language]);

    public static readonly StoreTable<MailboxPolicy> MailboxPolicies = new(
        "mailbox_policies",
        ["id", "name", "dial_plan", "allow_dial_plan_subscribers", "allow_extensions", Json("allowed_in_country_or_region_groups"),
         Json("allowed_international_groups"), "allow_play_on_phone", "allow_subscriber_access", "min_pin_length", "pin_lifetime_days",
         "pin_history_count", "allow_common_patterns", "logon_failures_before_pin_reset", "max_logon_attempts", "allow_fax", "fax_server_uri"],
        r => new MailboxPolicy
        {
            Id = r.GetGuid(0),
            Name = r.GetString(1),
            DialPlan = r.GetString(2),
            AllowDialPlanSubscribers = r.GetBoolean(3),
            AllowExtensions = r.GetBoolean(4),
            AllowedInCountryOrRegionGroups = ParseList(r.GetString(5)),
            AllowedInternationalGroups = ParseList(r.GetString(6)),
            AllowPlayOnPhone = r.GetBoolean(7),
            AllowSubscriberAccess = r.GetBoolean(8),
            MinPinLength = r.GetInt32(9),
            PinLifetime = r.IsDBNull(10) ? null : TimeSpan.FromDays(r.GetInt32(10)),
            PinHistoryCount = r.GetInt32(11),
            AllowCommonPatterns = r.GetBoolean(12),
            LogonFailuresBeforePinReset = r.IsDBNull(13) ? null : r.GetInt32(13),
            MaxLogonAttempts = r.GetInt32(14),
            AllowFax = r.GetBoolean(15),
            FaxServerUri = NullableString(r, 16),
        },
        p => [p.Id, p.Name, p.DialPlan, p.AllowDialPlanSubscribers, p.AllowExtensions, FormatList(p.AllowedInCountryOrRegionGroups),
              FormatList(p.AllowedInternationalGroups), p.AllowPlayOnPhone, p.AllowSubscriberAccess, p.MinPinLength,
              p.PinLifetime is { } lifetime ? (int)lifetime.TotalDays : null, p.PinHistoryCount, p.AllowCommonPatterns,
              p.LogonFailuresBeforePinReset, p.MaxLogonAttempts, p.AllowFax, p.FaxServerUri]);

    // Schedules and key mappings are JSON lists of their text forms ("Mon-Fri 08:00-18:00", "1,Sales,1001"), as typed.
    public static readonly StoreTable<AutoAttendant> AutoAttendants = new(
        "auto_attendants",
        ["id", "name", "dial_plan", Json("pilot_identifier_list"), "status", "time_zone", Json("business_hours_schedule"),
         Json("holiday_schedule"), "business_hours_welcome_greeting_file", "after_hours_welcome_greeting_file",
         Json("business_hours_key_mapping"), Json("after_hours_key_mapping"), "operator_extension", "call_someone_enabled",
         "name_lookup_enabled", "allow_dial_plan_subscribers", "allow_extensions", Json("allowed_in_country_or_region_groups"),
         Json("allowed_international_groups"), "language"],
        r => new AutoAttendant
        {
            Id = r.GetGuid(0),
            Name = r.GetString(1),
            DialPlan = r.GetString(2),
            PilotIdentifierList = ParseList(r.GetString(3)),
            Status = ParseEnum<UmStatus>(r.GetString(4)),
            TimeZone = r.GetString(5),
            BusinessHoursSchedule = ParseList(r.GetString(6)).Select(Schedules.BusinessHoursRange.Parse).ToArray(),
            HolidaySchedule = ParseList(r.GetString(7)).Select(Schedules.HolidayEntry.Parse).ToArray(),
            BusinessHoursWelcomeGreetingFile = NullableString(r, 8),
            AfterHoursWelcomeGreetingFile = NullableString(r, 9),
            BusinessHoursKeyMapping = ParseList(r.GetString(10)).Select(Schedules.KeyMapping.Parse).ToArray(),
            AfterHoursKeyMapping = ParseList(r.GetString(11)).Select(Schedules.KeyMapping.Parse).ToArray(),
            OperatorExtension = NullableString(r, 12),
            CallSomeoneEnabled = r.GetBoolean(13),
            NameLookupEnabled = r.GetBoolean(14),
            AllowDialPlanSubscribers = r.GetBoolean(15),
            AllowExtensions = r.GetBoolean(16),
            AllowedInCountryOrRegionGroups = ParseList(r.GetString(17)),
            AllowedInternationalGroups = ParseList(r.GetString(18)),
            Language = NullableString(r, 19),
        },
        a => [a.Id, a.Name, a.DialPlan, FormatList(a.PilotIdentifierList), a.Status.ToString(), a.TimeZone,
              FormatList(Texts(a.BusinessHoursSchedule)), FormatList(Texts(a.HolidaySchedule)), a.BusinessHoursWelcomeGreetingFile,
              a.AfterHoursWelcomeGreetingFile, FormatList(Texts(a.BusinessHoursKeyMapping)), FormatList(Texts(a.AfterHoursKeyMapping)),
              a.OperatorExtension, a.CallSomeoneEnabled, a.NameLookupEnabled, a.AllowDialPlanSubscribers, a.AllowExtensions,
              FormatList(a.AllowedInCountryOrRegionGroups), FormatList(a.AllowedInternationalGroups), a.Language]);

    private static string[] Texts<T>(IEnumerable<T> items) => items.Select(x => x!.ToString()!).ToArray();
}
