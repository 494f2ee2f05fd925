namespace OpenUM.Directory.Postgres;

/// <summary>Mailbox policies and PIN state: SQLite migration 5's tables for PostgreSQL (the PIN statements are <see cref="StorePins"/>).</summary>
internal static class PostgresPolicySchema
{
    /// <summary>
    /// 5: mailbox policies (pin_lifetime_days and logon_failures_before_pin_reset null = Unlimited) and the PIN state of
    /// mailboxes. PIN state is not configuration: it changes at every logon and bumps no version.
    /// </summary>
    public const string Migration5 =
        """
        CREATE TABLE mailbox_policies (
            seq bigint GENERATED ALWAYS AS IDENTITY,
            id uuid PRIMARY KEY,
            name text NOT NULL,
            dial_plan text NOT NULL,
            allow_dial_plan_subscribers boolean NOT NULL,
            allow_extensions boolean NOT NULL,
            allowed_in_country_or_region_groups jsonb NOT NULL DEFAULT '[]',
            allowed_international_groups jsonb NOT NULL DEFAULT '[]',
            allow_play_on_phone boolean NOT NULL,
            allow_subscriber_access boolean NOT NULL,
            min_pin_length integer NOT NULL,
            pin_lifetime_days integer,
            pin_history_count integer NOT NULL,
            allow_common_patterns boolean NOT NULL,
            logon_failures_before_pin_reset integer,
            max_logon_attempts integer NOT NULL);
        CREATE UNIQUE INDEX mailbox_policies_name ON mailbox_policies (lower(name));
        CREATE TABLE mailbox_pins (
            dial_plan text NOT NULL,
            extension text NOT NULL,
            hash text NOT NULL,
            history jsonb NOT NULL DEFAULT '[]',
            set_at timestamptz NOT NULL,
            consecutive_failures integer NOT NULL DEFAULT 0,
            locked_out boolean NOT NULL DEFAULT false);
        CREATE UNIQUE INDEX mailbox_pins_mailbox ON mailbox_pins (lower(dial_plan), extension);
        """;
}
