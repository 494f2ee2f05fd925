using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace OpenUM.Directory;

/// <summary>The mailbox_pins table (schema 5): one row per mailbox that has a PIN, keyed by dial plan and extension.</summary>
internal static class SqlitePins
{
    public static MailboxPinState? Read(SqliteConnection connection, SqliteTransaction? transaction, string dialPlan, string extension)
    {
        using var command = Command(connection, transaction,
            "SELECT hash, history, set_at, consecutive_failures, locked_out FROM mailbox_pins WHERE dial_plan = $dp AND extension = $ext",
            dialPlan, extension);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ParsePin(reader, dialPlan, extension) : null;
    }

    private static MailboxPinState ParsePin(SqliteDataReader reader, string dialPlan, string extension)
    {
        try
        {
            return StoreValues.ReadPin(reader, (r, ordinal) =>
                DateTimeOffset.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidCastException)
        {
            // The message names the row, never its contents (they are hashes).
            throw new InvalidDataException($"table mailbox_pins has an unreadable row for {dialPlan}/{extension}", ex);
        }
    }

    /// <summary>One wrong PIN, counted by one UPDATE (atomic under SQLite's write lock); the right-hand sides see the old row.</summary>
    public static MailboxPinState? RecordFailure(SqliteConnection connection, string dialPlan, string extension, int maxLogonAttempts)
    {
        using (var command = Command(connection, null,
            """
            UPDATE mailbox_pins SET consecutive_failures = consecutive_failures + 1, locked_out = (consecutive_failures + 1 >= $max)
            WHERE dial_plan = $dp AND extension = $ext AND NOT locked_out
            RETURNING hash, history, set_at, consecutive_failures, locked_out
            """,
            dialPlan, extension))
        {
            command.Parameters.AddWithValue("$max", maxLogonAttempts);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                return ParsePin(reader, dialPlan, extension);
            }
        }

        // No row changed: no PIN, or already locked out by an attempt that won the race.
        return Read(connection, null, dialPlan, extension);
    }

    /// <summary>A right PIN clears the count unless the mailbox got locked meanwhile; false when locked (or no PIN).</summary>
    public static bool RecordSuccess(SqliteConnection connection, string dialPlan, string extension)
    {
        using var command = Command(connection, null,
            "UPDATE mailbox_pins SET consecutive_failures = 0 WHERE dial_plan = $dp AND extension = $ext AND NOT locked_out",
            dialPlan, extension);
        return command.ExecuteNonQuery() == 1;
    }

    public static void Upsert(SqliteConnection connection, SqliteTransaction transaction, string dialPlan, string extension, MailboxPinState state)
    {
        using var command = Command(connection, transaction,
            """
            INSERT INTO mailbox_pins (dial_plan, extension, hash, history, set_at, consecutive_failures, locked_out)
            VALUES ($dp, $ext, $hash, $history, $set_at, $failures, $locked)
            ON CONFLICT (dial_plan, extension) DO UPDATE SET hash = excluded.hash, history = excluded.history,
                set_at = excluded.set_at, consecutive_failures = excluded.consecutive_failures, locked_out = excluded.locked_out
            """,
            dialPlan, extension);
        command.Parameters.AddWithValue("$hash", state.Hash);
        command.Parameters.AddWithValue("$history", StoreValues.FormatList(state.History));
        command.Parameters.AddWithValue("$set_at", state.SetAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$failures", state.ConsecutiveFailures);
        command.Parameters.AddWithValue("$locked", state.LockedOut);
        command.ExecuteNonQuery();
    }

    public static void Delete(SqliteConnection connection, SqliteTransaction transaction, string dialPlan, string extension)
    {
        using var command = Command(connection, transaction, "DELETE FROM mailbox_pins WHERE dial_plan = $dp AND extension = $ext", dialPlan, extension);
        command.ExecuteNonQuery();
    }

    /// <summary>Keeps a mailbox's PIN when an update moves it to another dial plan or extension.</summary>
    public static void Move(SqliteConnection connection, SqliteTransaction transaction, string fromDialPlan, string fromExtension, string toDialPlan, string toExtension)
    {
        if (string.Equals(fromDialPlan, toDialPlan, StringComparison.OrdinalIgnoreCase) && fromExtension == toExtension)
        {
            return;
        }

        using var command = Command(connection, transaction,
            "UPDATE mailbox_pins SET dial_plan = $to_dp, extension = $to_ext WHERE dial_plan = $dp AND extension = $ext",
            fromDialPlan, fromExtension);
        command.Parameters.AddWithValue("$to_dp", toDialPlan);
        command.Parameters.AddWithValue("$to_ext", toExtension);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, string dialPlan, string extension)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$dp", dialPlan);
        command.Parameters.AddWithValue("$ext", extension);
        return command;
    }
}
