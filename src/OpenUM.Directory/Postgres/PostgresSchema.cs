using Npgsql;

namespace OpenUM.Directory.Postgres;

/// <summary>
/// Numbered schema migrations for PostgreSQL, one for one with <see cref="SqliteSchema"/> (migration N here
/// makes the same tables and columns as SQLite migration N). They run in one transaction under a
/// transaction-scoped advisory lock, so two servers starting at once on an empty database cannot both
/// apply them. Names are unique case-insensitively through unique indexes on lower(name). Lists are
/// jsonb arrays; durations are milliseconds, as in SQLite. A new migration is appended, never edited.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>Advisory lock key taken while migrating ("OpenUMsc" as a big-endian 64-bit number).</summary>
    private const long MigrationLockKey = 0x4F70656E554D7363;

    private static readonly string[] Migrations =
    [
        // 1: initial schema (SQLite migration 1). seq keeps insertion order, as SQLite's rowid does.
        """
        CREATE TABLE config_version (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
        INSERT INTO config_version (id, version) VALUES (1, 0);
        CREATE TABLE dial_plans (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            name text NOT NULL,
            number_of_digits_in_extension integer NOT NULL,
            uri_type text NOT NULL,
            voip_security text NOT NULL,
            access_telephone_numbers jsonb NOT NULL DEFAULT '[]',
            country_or_region_code text,
            outside_line_access_code text NOT NULL,
            international_access_code text,
            national_number_prefix text,
            allow_dial_plan_subscribers boolean NOT NULL,
            allow_extensions boolean NOT NULL,
            max_call_duration_ms bigint NOT NULL,
            max_recording_duration_ms bigint NOT NULL,
            recording_idle_timeout_ms bigint NOT NULL,
            logon_failures_before_disconnect integer NOT NULL,
            operator_extension text);
        CREATE UNIQUE INDEX dial_plans_name ON dial_plans (lower(name));
        CREATE TABLE ip_gateways (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            name text NOT NULL,
            address text NOT NULL,
            port integer NOT NULL,
            status text NOT NULL,
            outcalls_allowed boolean NOT NULL,
            message_waiting_indicator_allowed boolean NOT NULL,
            ip_address_family text NOT NULL);
        CREATE UNIQUE INDEX ip_gateways_name ON ip_gateways (lower(name));
        CREATE TABLE hunt_groups (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            name text NOT NULL,
            ip_gateway text NOT NULL,
            dial_plan text NOT NULL,
            pilot_identifier text);
        CREATE UNIQUE INDEX hunt_groups_name ON hunt_groups (lower(name));
        CREATE TABLE um_servers (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            name text NOT NULL,
            dial_plans jsonb NOT NULL DEFAULT '[]',
            status text NOT NULL,
            max_calls_allowed integer NOT NULL,
            sip_tcp_listening_port integer NOT NULL,
            sip_tls_listening_port integer NOT NULL,
            startup_mode text NOT NULL,
            start_secured integer NOT NULL,
            certificate_thumbprint text);
        CREATE UNIQUE INDEX um_servers_name ON um_servers (lower(name));
        CREATE TABLE mailboxes (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            dial_plan text NOT NULL,
            extension text NOT NULL,
            display_name text NOT NULL,
            email_address text NOT NULL,
            sip_uri text,
            mailbox_policy text,
            greeting_file text);
        CREATE UNIQUE INDEX mailboxes_extension ON mailboxes (lower(dial_plan), extension);
        CREATE UNIQUE INDEX mailboxes_email_address ON mailboxes (lower(email_address));
        """,
        // 2: SRTP settings of a UM server (SQLite migration 2).
        """
        ALTER TABLE um_servers ADD COLUMN srtp_crypto_suites jsonb NOT NULL DEFAULT '[]';
        ALTER TABLE um_servers ADD COLUMN srtp_replay_window integer NOT NULL DEFAULT 128;
        """,
        // 3: smart host for voice message delivery (SQLite migration 3).
        """
        ALTER TABLE um_servers ADD COLUMN smart_host text;
        ALTER TABLE um_servers ADD COLUMN smart_host_tls text NOT NULL DEFAULT 'StartTls';
        ALTER TABLE um_servers ADD COLUMN smart_host_client_certificate boolean NOT NULL DEFAULT true;
        ALTER TABLE um_servers ADD COLUMN smart_host_user text;
        ALTER TABLE um_servers ADD COLUMN smart_host_password_file text;
        ALTER TABLE um_servers ADD COLUMN smart_host_retry_interval_ms bigint NOT NULL DEFAULT 30000;
        ALTER TABLE um_servers ADD COLUMN smart_host_max_retry_interval_ms bigint NOT NULL DEFAULT 600000;
        ALTER TABLE um_servers ADD COLUMN smart_host_message_expiry_ms bigint NOT NULL DEFAULT 172800000;
        """,
        // 4: dialing rule groups of a dial plan (SQLite migration 4); entries as jsonb arrays of
        // {Name, NumberMask, DialedNumber, Comment}, allowed group names as jsonb arrays of strings.
        """
        ALTER TABLE dial_plans ADD COLUMN configured_in_country_or_region_groups jsonb NOT NULL DEFAULT '[]';
        ALTER TABLE dial_plans ADD COLUMN configured_international_groups jsonb NOT NULL DEFAULT '[]';
        ALTER TABLE dial_plans ADD COLUMN allowed_in_country_or_region_groups jsonb NOT NULL DEFAULT '[]';
        ALTER TABLE dial_plans ADD COLUMN allowed_international_groups jsonb NOT NULL DEFAULT '[]';
        """,
        PostgresPolicySchema.Migration5,
        // 6: what a peer may hold of the server (SQLite migration 6).
        """
        ALTER TABLE um_servers ADD COLUMN allow_tls_from_any_address boolean NOT NULL DEFAULT false;
        ALTER TABLE um_servers ADD COLUMN tls_handshake_timeout_ms bigint NOT NULL DEFAULT 10000;
        ALTER TABLE um_servers ADD COLUMN sip_message_timeout_ms bigint NOT NULL DEFAULT 10000;
        ALTER TABLE um_servers ADD COLUMN max_connections_per_address integer NOT NULL DEFAULT 64;
        ALTER TABLE um_servers ADD COLUMN connection_rate_per_address integer NOT NULL DEFAULT 50;
        """,
        // 7: media latching of a gateway and RTP probation of a UM server (SQLite migration 7).
        """
        ALTER TABLE ip_gateways ADD COLUMN media_latching text NOT NULL DEFAULT 'SignallingOrSdp';
        ALTER TABLE um_servers ADD COLUMN rtp_probation integer NOT NULL DEFAULT 4;
        """,
        // 8: storage back-pressure (SQLite migration 8).
        """
        ALTER TABLE um_servers ADD COLUMN min_free_space_mb integer NOT NULL DEFAULT 0;
        ALTER TABLE um_servers ADD COLUMN min_free_inodes integer NOT NULL DEFAULT 0;
        ALTER TABLE dial_plans ADD COLUMN storage_full_action text NOT NULL DEFAULT 'Refuse';
        """,
        // 9: a PIN reset and mailed by the system must be changed (SQLite migration 9).
        """
        ALTER TABLE mailbox_pins ADD COLUMN must_change boolean NOT NULL DEFAULT false;
        """,
        // 10: the IMAP store holding the users' mailboxes (SQLite migration 10).
        """
        ALTER TABLE um_servers ADD COLUMN imap_host text;
        ALTER TABLE um_servers ADD COLUMN imap_tls text NOT NULL DEFAULT 'StartTls';
        ALTER TABLE um_servers ADD COLUMN imap_client_certificate boolean NOT NULL DEFAULT false;
        ALTER TABLE um_servers ADD COLUMN imap_user text;
        ALTER TABLE um_servers ADD COLUMN imap_password_file text;
        ALTER TABLE um_servers ADD COLUMN imap_login text NOT NULL DEFAULT 'MasterUserSeparator';
        ALTER TABLE um_servers ADD COLUMN imap_master_user_separator text NOT NULL DEFAULT '*';
        ALTER TABLE um_servers ADD COLUMN imap_folder text NOT NULL DEFAULT 'INBOX';
        ALTER TABLE um_servers ADD COLUMN imap_delete_action text NOT NULL DEFAULT 'MoveToTrash';
        ALTER TABLE um_servers ADD COLUMN imap_trash_folder text NOT NULL DEFAULT '';
        """,
        // 11 (fax): fax tone watching of a dial plan, fax settings of a mailbox policy (SQLite migration 11).
        """
        ALTER TABLE dial_plans ADD COLUMN fax_enabled boolean NOT NULL DEFAULT true;
        ALTER TABLE mailbox_policies ADD COLUMN allow_fax boolean NOT NULL DEFAULT true;
        ALTER TABLE mailbox_policies ADD COLUMN fax_server_uri text;
        """,
        // 12: the user is away, callers hear the away greeting (SQLite migration 12).
        """
        ALTER TABLE mailboxes ADD COLUMN away boolean NOT NULL DEFAULT false;
        """,
        // 13: auto attendants (SQLite migration 13).
        """
        CREATE TABLE auto_attendants (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            name text NOT NULL,
            dial_plan text NOT NULL,
            pilot_identifier_list jsonb NOT NULL DEFAULT '[]',
            status text NOT NULL,
            time_zone text NOT NULL,
            business_hours_schedule jsonb NOT NULL DEFAULT '[]',
            holiday_schedule jsonb NOT NULL DEFAULT '[]',
            business_hours_welcome_greeting_file text,
            after_hours_welcome_greeting_file text,
            business_hours_key_mapping jsonb NOT NULL DEFAULT '[]',
            after_hours_key_mapping jsonb NOT NULL DEFAULT '[]',
            operator_extension text,
            call_someone_enabled boolean NOT NULL,
            name_lookup_enabled boolean NOT NULL,
            allow_dial_plan_subscribers boolean NOT NULL,
            allow_extensions boolean NOT NULL,
            allowed_in_country_or_region_groups jsonb NOT NULL DEFAULT '[]',
            allowed_international_groups jsonb NOT NULL DEFAULT '[]');
        CREATE UNIQUE INDEX auto_attendants_name ON auto_attendants (lower(name));
        """,
        // 14: the language of the prompts of a dial plan, a mailbox and an auto attendant (SQLite migration 14).
        """
        ALTER TABLE dial_plans ADD COLUMN default_language text NOT NULL DEFAULT 'en-US';
        ALTER TABLE mailboxes ADD COLUMN language text;
        ALTER TABLE auto_attendants ADD COLUMN language text;
        """,
        // 15: an auto attendant's greetings given as text and its spoken key menus (SQLite migration 15).
        """
        ALTER TABLE auto_attendants ADD COLUMN business_hours_welcome_greeting_text text;
        ALTER TABLE auto_attendants ADD COLUMN after_hours_welcome_greeting_text text;
        ALTER TABLE auto_attendants ADD COLUMN business_hours_menu_prompt_file text;
        ALTER TABLE auto_attendants ADD COLUMN after_hours_menu_prompt_file text;
        """,
    ];

    /// <summary>Schema version this build writes.</summary>
    public static int LatestVersion => Migrations.Length;

    /// <summary>Applies the pending migrations; refuses a database migrated by a newer OpenUM.</summary>
    public static void Migrate(NpgsqlDataSource source, DateTimeOffset now)
    {
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})");
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)");
        using (var query = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", connection, transaction))
        {
            var applied = Convert.ToInt32(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (applied > Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"configuration store {connection.Host}/{connection.Database} has schema version {applied}, newer than this OpenUM understands ({Migrations.Length}); upgrade OpenUM");
            }

            for (var version = applied + 1; version <= Migrations.Length; version++)
            {
                Execute(connection, transaction, Migrations[version - 1]);
                using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)", connection, transaction);
                record.Parameters.AddWithValue("version", version);
                record.Parameters.AddWithValue("at", now.ToUniversalTime());
                record.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
