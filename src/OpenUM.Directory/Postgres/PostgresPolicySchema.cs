using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using static OpenUM.Directory.StoreValues;

namespace OpenUM.Directory.Postgres;

/// <summary>Mailbox policies and PIN state: SQLite migration 5's tables for PostgreSQL, and the PIN statements.</summary>
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

    /// <summary>The PIN state of a mailbox, or null.</summary>
    public static MailboxPinState? ReadPin(NpgsqlConnection connection, string dialPlan, string extension)
    {
        using var command = new NpgsqlCommand(
            "SELECT hash, history::text, set_at, consecutive_failures, locked_out FROM mailbox_pins WHERE lower(dial_plan) = lower(@dp) AND extension = @ext",
            connection);
        command.Parameters.AddWithValue("dp", dialPlan);
        command.Parameters.AddWithValue("ext", extension);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ParsePin(reader) : null;
    }

    private static MailboxPinState ParsePin(NpgsqlDataReader reader)
    {
        try
        {
            return StoreValues.ReadPin(reader, (r, ordinal) => new DateTimeOffset(r.GetDateTime(ordinal), TimeSpan.Zero));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidCastException)
        {
            throw new InvalidDataException($"configuration table mailbox_pins has an unreadable row: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// One wrong PIN, counted by one UPDATE: the row lock makes concurrent failures from any server queue up, and each
    /// re-evaluates the WHERE against the row committed before it (READ COMMITTED), so none is lost and none counts
    /// past the lockout. Null when the mailbox has no PIN.
    /// </summary>
    public static MailboxPinState? RecordFailure(NpgsqlConnection connection, string dialPlan, string extension, int maxLogonAttempts)
    {
        using (var command = new NpgsqlCommand(
            """
            UPDATE mailbox_pins SET consecutive_failures = consecutive_failures + 1, locked_out = (consecutive_failures + 1 >= @max)
            WHERE lower(dial_plan) = lower(@dp) AND extension = @ext AND NOT locked_out
            RETURNING hash, history::text, set_at, consecutive_failures, locked_out
            """,
            connection))
        {
            command.Parameters.AddWithValue("dp", dialPlan);
            command.Parameters.AddWithValue("ext", extension);
            command.Parameters.AddWithValue("max", maxLogonAttempts);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                return ParsePin(reader);
            }
        }

        // No row changed: no PIN, or already locked out by an attempt that won the race.
        return ReadPin(connection, dialPlan, extension);
    }

    /// <summary>A right PIN clears the count unless the mailbox got locked meanwhile; false when locked (or no PIN).</summary>
    public static bool RecordSuccess(NpgsqlConnection connection, string dialPlan, string extension)
    {
        using var command = new NpgsqlCommand(
            "UPDATE mailbox_pins SET consecutive_failures = 0 WHERE lower(dial_plan) = lower(@dp) AND extension = @ext AND NOT locked_out",
            connection);
        command.Parameters.AddWithValue("dp", dialPlan);
        command.Parameters.AddWithValue("ext", extension);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Upserts the PIN state in one statement, only while the mailbox exists; false when it does not.
    /// </summary>
    public static bool WritePin(NpgsqlConnection connection, string dialPlan, string extension, MailboxPinState state)
    {
        using var command = new NpgsqlCommand(
            """
            INSERT INTO mailbox_pins (dial_plan, extension, hash, history, set_at, consecutive_failures, locked_out)
            SELECT m.dial_plan, m.extension, @hash, @history, @set_at, @failures, @locked
            FROM mailboxes m WHERE lower(m.dial_plan) = lower(@dp) AND m.extension = @ext
            ON CONFLICT (lower(dial_plan), extension) DO UPDATE SET
                hash = EXCLUDED.hash, history = EXCLUDED.history, set_at = EXCLUDED.set_at,
                consecutive_failures = EXCLUDED.consecutive_failures, locked_out = EXCLUDED.locked_out
            """,
            connection);
        command.Parameters.AddWithValue("dp", dialPlan);
        command.Parameters.AddWithValue("ext", extension);
        command.Parameters.AddWithValue("hash", state.Hash);
        command.Parameters.Add(new NpgsqlParameter("history", NpgsqlDbType.Jsonb) { Value = FormatList(state.History) });
        command.Parameters.AddWithValue("set_at", state.SetAt.ToUniversalTime());
        command.Parameters.AddWithValue("failures", state.ConsecutiveFailures);
        command.Parameters.AddWithValue("locked", state.LockedOut);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Carries the PIN along when a mailbox moves to another dial plan or extension.</summary>
    public static void MovePin(NpgsqlConnection connection, NpgsqlTransaction transaction, Mailbox from, Mailbox to)
    {
        if (string.Equals(from.DialPlan, to.DialPlan, StringComparison.OrdinalIgnoreCase) && from.Extension == to.Extension)
        {
            return;
        }

        using var command = new NpgsqlCommand(
            "UPDATE mailbox_pins SET dial_plan = @to_dp, extension = @to_ext WHERE lower(dial_plan) = lower(@dp) AND extension = @ext",
            connection, transaction);
        command.Parameters.AddWithValue("dp", from.DialPlan);
        command.Parameters.AddWithValue("ext", from.Extension);
        command.Parameters.AddWithValue("to_dp", to.DialPlan);
        command.Parameters.AddWithValue("to_ext", to.Extension);
        command.ExecuteNonQuery();
    }

    /// <summary>Drops the PIN of a removed mailbox (so a new mailbox at that extension does not inherit it).</summary>
    public static void DeletePin(NpgsqlConnection connection, NpgsqlTransaction transaction, string dialPlan, string extension)
    {
        using var command = new NpgsqlCommand(
            "DELETE FROM mailbox_pins WHERE lower(dial_plan) = lower(@dp) AND extension = @ext", connection, transaction);
        command.Parameters.AddWithValue("dp", dialPlan);
        command.Parameters.AddWithValue("ext", extension);
        command.ExecuteNonQuery();
    }
}
