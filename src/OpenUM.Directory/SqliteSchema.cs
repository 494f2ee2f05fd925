using Microsoft.Data.Sqlite;

namespace OpenUM.Directory;

/// <summary>
/// Numbered schema migrations, applied in order inside one IMMEDIATE transaction at open so that two
/// processes opening a new file at once cannot both apply them. A new migration is appended, never edited.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        // 1: initial schema. Names are unique case-insensitively (NOCASE is ASCII-only; the validator
        // does full case folding). Lists are JSON arrays of strings; durations are milliseconds.
        """
        CREATE TABLE config_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
        INSERT INTO config_version (id, version) VALUES (1, 0);
        CREATE TABLE dial_plans (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            number_of_digits_in_extension INTEGER NOT NULL,
            uri_type TEXT NOT NULL,
            voip_security TEXT NOT NULL,
            access_telephone_numbers TEXT NOT NULL DEFAULT '[]',
            country_or_region_code TEXT,
            outside_line_access_code TEXT NOT NULL,
            international_access_code TEXT,
            national_number_prefix TEXT,
            allow_dial_plan_subscribers INTEGER NOT NULL,
            allow_extensions INTEGER NOT NULL,
            max_call_duration_ms INTEGER NOT NULL,
            max_recording_duration_ms INTEGER NOT NULL,
            recording_idle_timeout_ms INTEGER NOT NULL,
            logon_failures_before_disconnect INTEGER NOT NULL,
            operator_extension TEXT);
        CREATE TABLE ip_gateways (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            address TEXT NOT NULL,
            port INTEGER NOT NULL,
            status TEXT NOT NULL,
            outcalls_allowed INTEGER NOT NULL,
            message_waiting_indicator_allowed INTEGER NOT NULL,
            ip_address_family TEXT NOT NULL);
        CREATE TABLE hunt_groups (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            ip_gateway TEXT NOT NULL,
            dial_plan TEXT NOT NULL,
            pilot_identifier TEXT);
        CREATE TABLE um_servers (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            dial_plans TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL,
            max_calls_allowed INTEGER NOT NULL,
            sip_tcp_listening_port INTEGER NOT NULL,
            sip_tls_listening_port INTEGER NOT NULL,
            startup_mode TEXT NOT NULL,
            start_secured INTEGER NOT NULL,
            certificate_thumbprint TEXT);
        CREATE TABLE mailboxes (
            id TEXT PRIMARY KEY NOT NULL,
            dial_plan TEXT NOT NULL COLLATE NOCASE,
            extension TEXT NOT NULL,
            display_name TEXT NOT NULL,
            email_address TEXT NOT NULL UNIQUE COLLATE NOCASE,
            sip_uri TEXT,
            mailbox_policy TEXT,
            greeting_file TEXT,
            UNIQUE (dial_plan, extension));
        """,
        // 2: SRTP settings of a UM server (Secured dial plans).
        """
        ALTER TABLE um_servers ADD COLUMN srtp_crypto_suites TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE um_servers ADD COLUMN srtp_replay_window INTEGER NOT NULL DEFAULT 128;
        """,
        // 3: smart host (SMTP hub transport) for voice message delivery; durations in milliseconds.
        """
        ALTER TABLE um_servers ADD COLUMN smart_host TEXT;
        ALTER TABLE um_servers ADD COLUMN smart_host_tls TEXT NOT NULL DEFAULT 'StartTls';
        ALTER TABLE um_servers ADD COLUMN smart_host_client_certificate INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE um_servers ADD COLUMN smart_host_user TEXT;
        ALTER TABLE um_servers ADD COLUMN smart_host_password_file TEXT;
        ALTER TABLE um_servers ADD COLUMN smart_host_retry_interval_ms INTEGER NOT NULL DEFAULT 30000;
        ALTER TABLE um_servers ADD COLUMN smart_host_max_retry_interval_ms INTEGER NOT NULL DEFAULT 600000;
        ALTER TABLE um_servers ADD COLUMN smart_host_message_expiry_ms INTEGER NOT NULL DEFAULT 172800000;
        """,
        // 4: dialing rule groups of a dial plan (OUT-1): entries as JSON arrays of
        // {Name, NumberMask, DialedNumber, Comment}; allowed group names as JSON arrays of strings.
        """
        ALTER TABLE dial_plans ADD COLUMN configured_in_country_or_region_groups TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE dial_plans ADD COLUMN configured_international_groups TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE dial_plans ADD COLUMN allowed_in_country_or_region_groups TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE dial_plans ADD COLUMN allowed_international_groups TEXT NOT NULL DEFAULT '[]';
        """,
        // 5: mailbox policies (SPEC §2; pin_lifetime_days and logon_failures_before_pin_reset NULL = Unlimited)
        // and mailbox PINs (OUT-3a): PBKDF2 hashes only, history as a JSON array of hashes, set_at ISO 8601 UTC.
        // PIN rows are not configuration: writing one bumps no version.
        """
        CREATE TABLE mailbox_policies (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            dial_plan TEXT NOT NULL COLLATE NOCASE,
            allow_dial_plan_subscribers INTEGER NOT NULL,
            allow_extensions INTEGER NOT NULL,
            allowed_in_country_or_region_groups TEXT NOT NULL DEFAULT '[]',
            allowed_international_groups TEXT NOT NULL DEFAULT '[]',
            allow_play_on_phone INTEGER NOT NULL,
            allow_subscriber_access INTEGER NOT NULL,
            min_pin_length INTEGER NOT NULL,
            pin_lifetime_days INTEGER,
            pin_history_count INTEGER NOT NULL,
            allow_common_patterns INTEGER NOT NULL,
            logon_failures_before_pin_reset INTEGER,
            max_logon_attempts INTEGER NOT NULL);
        CREATE TABLE mailbox_pins (
            dial_plan TEXT NOT NULL COLLATE NOCASE,
            extension TEXT NOT NULL,
            hash TEXT NOT NULL,
            history TEXT NOT NULL DEFAULT '[]',
            set_at TEXT NOT NULL,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            locked_out INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (dial_plan, extension));
        """,
        // 6: what a peer may hold of the server: TLS from any address, handshake and message deadlines (ms),
        // per-address connection cap and rate.
        """
        ALTER TABLE um_servers ADD COLUMN allow_tls_from_any_address INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE um_servers ADD COLUMN tls_handshake_timeout_ms INTEGER NOT NULL DEFAULT 10000;
        ALTER TABLE um_servers ADD COLUMN sip_message_timeout_ms INTEGER NOT NULL DEFAULT 10000;
        ALTER TABLE um_servers ADD COLUMN max_connections_per_address INTEGER NOT NULL DEFAULT 64;
        ALTER TABLE um_servers ADD COLUMN connection_rate_per_address INTEGER NOT NULL DEFAULT 50;
        """,
        // 7: where a gateway's RTP may come from (media latching) and the RTP probation of a UM server.
        """
        ALTER TABLE ip_gateways ADD COLUMN media_latching TEXT NOT NULL DEFAULT 'SignallingOrSdp';
        ALTER TABLE um_servers ADD COLUMN rtp_probation INTEGER NOT NULL DEFAULT 4;
        """,
        // 8: storage back-pressure: the free space and inodes a UM server keeps (0 = automatic) and what a dial plan's
        // callers get while it cannot store messages.
        """
        ALTER TABLE um_servers ADD COLUMN min_free_space_mb INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE um_servers ADD COLUMN min_free_inodes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE dial_plans ADD COLUMN storage_full_action TEXT NOT NULL DEFAULT 'Refuse';
        """,
        // 9: a PIN the system reset and mailed (LogonFailuresBeforePINReset) must be changed at the next logon.
        """
        ALTER TABLE mailbox_pins ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
        """,
        // 10: the IMAP store holding the users' mailboxes (no password: only the path of the file holding it).
        """
        ALTER TABLE um_servers ADD COLUMN imap_host TEXT;
        ALTER TABLE um_servers ADD COLUMN imap_tls TEXT NOT NULL DEFAULT 'StartTls';
        ALTER TABLE um_servers ADD COLUMN imap_client_certificate INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE um_servers ADD COLUMN imap_user TEXT;
        ALTER TABLE um_servers ADD COLUMN imap_password_file TEXT;
        ALTER TABLE um_servers ADD COLUMN imap_login TEXT NOT NULL DEFAULT 'MasterUserSeparator';
        ALTER TABLE um_servers ADD COLUMN imap_master_user_separator TEXT NOT NULL DEFAULT '*';
        ALTER TABLE um_servers ADD COLUMN imap_folder TEXT NOT NULL DEFAULT 'INBOX';
        ALTER TABLE um_servers ADD COLUMN imap_delete_action TEXT NOT NULL DEFAULT 'MoveToTrash';
        ALTER TABLE um_servers ADD COLUMN imap_trash_folder TEXT NOT NULL DEFAULT '';
        """,
        // 11 (fax): whether a dial plan's calls are watched for the fax tone, and where a mailbox policy's users get
        // their faxes (Exchange's FaxEnabled, AllowFax and FaxServerURI; no URI = none).
        """
        ALTER TABLE dial_plans ADD COLUMN fax_enabled INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE mailbox_policies ADD COLUMN allow_fax INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE mailbox_policies ADD COLUMN fax_server_uri TEXT;
        """,
        // 12 (self-service by phone): the user is away, callers hear the away greeting.
        """
        ALTER TABLE mailboxes ADD COLUMN away INTEGER NOT NULL DEFAULT 0;
        """,
        // 13: auto attendants (New-UMAutoAttendant).
        // Pilot numbers, allowed groups, schedules and key mappings are JSON arrays of their text forms.
        """
        CREATE TABLE auto_attendants (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            dial_plan TEXT NOT NULL COLLATE NOCASE,
            pilot_identifier_list TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            business_hours_schedule TEXT NOT NULL DEFAULT '[]',
            holiday_schedule TEXT NOT NULL DEFAULT '[]',
            business_hours_welcome_greeting_file TEXT,
            after_hours_welcome_greeting_file TEXT,
            business_hours_key_mapping TEXT NOT NULL DEFAULT '[]',
            after_hours_key_mapping TEXT NOT NULL DEFAULT '[]',
            operator_extension TEXT,
            call_someone_enabled INTEGER NOT NULL,
            name_lookup_enabled INTEGER NOT NULL,
            allow_dial_plan_subscribers INTEGER NOT NULL,
            allow_extensions INTEGER NOT NULL,
            allowed_in_country_or_region_groups TEXT NOT NULL DEFAULT '[]',
            allowed_international_groups TEXT NOT NULL DEFAULT '[]');
        """,
        // 14: the language of the prompts: a dial plan's (Exchange DefaultLanguage), a mailbox's and an auto attendant's own
        // (NULL = its dial plan's).
        """
        ALTER TABLE dial_plans ADD COLUMN default_language TEXT NOT NULL DEFAULT 'en-US';
        ALTER TABLE mailboxes ADD COLUMN language TEXT;
        ALTER TABLE auto_attendants ADD COLUMN language TEXT;
        """,
        // 15: an auto attendant's greetings given as text (spoken by the CLI into the greeting files) and its key menus
        // spoken from the key mappings' names.
        """
        ALTER TABLE auto_attendants ADD COLUMN business_hours_welcome_greeting_text TEXT;
        ALTER TABLE auto_attendants ADD COLUMN after_hours_welcome_greeting_text TEXT;
        ALTER TABLE auto_attendants ADD COLUMN business_hours_menu_prompt_file TEXT;
        ALTER TABLE auto_attendants ADD COLUMN after_hours_menu_prompt_file TEXT;
        """,
    ];

    /// <summary>Schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;

    public static void Migrate(SqliteConnection connection, DateTimeOffset now)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        using (var query = connection.CreateCommand())
        {
            query.Transaction = transaction;
            query.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
            var applied = Convert.ToInt32(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (applied > Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"configuration store {connection.DataSource} has schema version {applied}, newer than this OpenUM understands ({Migrations.Length}); upgrade OpenUM");
            }

            for (var version = applied + 1; version <= Migrations.Length; version++)
            {
                Execute(connection, transaction, Migrations[version - 1]);
                using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($version, $at)";
                record.Parameters.AddWithValue("$version", version);
                record.Parameters.AddWithValue("$at", now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
