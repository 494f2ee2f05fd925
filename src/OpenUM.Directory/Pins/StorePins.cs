using System.Data.Common;
using System.Text.Json;
using static OpenUM.Directory.StoreCommands;

namespace OpenUM.Directory.Pins;

/// <summary>
/// The mailbox_pins table (schema 5): one row per mailbox that has a PIN, keyed by dial plan and extension. Not
/// configuration: its writes bump no version. Every change is one statement, atomic on its own in both databases.
/// </summary>
internal sealed class StorePins(StoreDialect dialect)
{
    private readonly string _match = $"{dialect.DialPlanEquals("dial_plan", "dp")} AND extension = {dialect.Parameter("ext")}";
    private readonly string _columns = $"hash, {dialect.Select(StoreValues.Json("history"))}, set_at, consecutive_failures, locked_out, must_change";

    /// <summary>The PIN state of a mailbox, or null; with <paramref name="async"/> false it never waits asynchronously.</summary>
    public async ValueTask<MailboxPinState?> Read(DbConnection connection, string dialPlan, string extension, bool async, CancellationToken ct)
    {
        var command = Keyed(connection, null, $"SELECT {_columns} FROM mailbox_pins WHERE {_match}", dialPlan, extension);
        try
        {
            return await ReadOne(command, dialPlan, extension, async, ct).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(command, async).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One wrong PIN, counted by one UPDATE whose right-hand sides see the old row. Concurrent failures from any
    /// server queue up on the row (SQLite's write lock, PostgreSQL's row lock re-evaluating the WHERE against the row
    /// committed before it), so none is lost and none counts past the lockout. Null when the mailbox has no PIN.
    /// </summary>
    public async ValueTask<MailboxPinState?> RecordFailure(DbConnection connection, string dialPlan, string extension, int maxLogonAttempts,
        bool async, CancellationToken ct)
    {
        var command = Keyed(connection, null,
            $"""
            UPDATE mailbox_pins SET consecutive_failures = consecutive_failures + 1, locked_out = (consecutive_failures + 1 >= {dialect.Parameter("max")})
            WHERE {_match} AND NOT locked_out
            RETURNING {_columns}
            """,
            dialPlan, extension);
        try
        {
            dialect.Add(command, "max", maxLogonAttempts);
            if (await ReadOne(command, dialPlan, extension, async, ct).ConfigureAwait(false) is { } counted)
            {
                return counted;
            }
        }
        finally
        {
            await DisposeAsync(command, async).ConfigureAwait(false);
        }

        // No row changed: no PIN, or already locked out by an attempt that won the race.
        return await Read(connection, dialPlan, extension, async, ct).ConfigureAwait(false);
    }

    /// <summary>A right PIN clears the count unless the mailbox got locked meanwhile; false when locked (or no PIN).</summary>
    public async ValueTask<bool> RecordSuccess(DbConnection connection, string dialPlan, string extension, bool async, CancellationToken ct)
    {
        var command = Keyed(connection, null, $"UPDATE mailbox_pins SET consecutive_failures = 0 WHERE {_match} AND NOT locked_out", dialPlan, extension);
        try
        {
            return (async ? await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : command.ExecuteNonQuery()) == 1;
        }
        finally
        {
            await DisposeAsync(command, async).ConfigureAwait(false);
        }
    }

    /// <summary>Inserts or replaces the PIN state in one statement, only while the mailbox exists; false when it does not.</summary>
    public bool Save(DbConnection connection, string dialPlan, string extension, MailboxPinState state)
    {
        // The SELECT's WHERE also settles SQLite's INSERT ... SELECT ... ON CONFLICT parsing ambiguity.
        using var command = Keyed(connection, null,
            $"""
            INSERT INTO mailbox_pins (dial_plan, extension, hash, history, set_at, consecutive_failures, locked_out, must_change)
            SELECT m.dial_plan, m.extension, {P("hash")}, {P("history")}, {P("set_at")}, {P("failures")}, {P("locked")}, {P("must")}
            FROM mailboxes m WHERE {dialect.DialPlanEquals("m.dial_plan", "dp")} AND m.extension = {P("ext")}
            ON CONFLICT {dialect.PinKey} DO UPDATE SET
                hash = excluded.hash, history = excluded.history, set_at = excluded.set_at,
                consecutive_failures = excluded.consecutive_failures, locked_out = excluded.locked_out, must_change = excluded.must_change
            """,
            dialPlan, extension);
        dialect.Add(command, "hash", state.Hash);
        dialect.Add(command, "history", StoreValues.FormatList(state.History), json: true);
        dialect.Add(command, "set_at", dialect.SetAt(state.SetAt));
        dialect.Add(command, "failures", state.ConsecutiveFailures);
        dialect.Add(command, "locked", state.LockedOut);
        dialect.Add(command, "must", state.MustChange);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// The automatic reset (LogonFailuresBeforePINReset): replaces the PIN, its history, set_at and must_change in one
    /// statement, only while the PIN is still <paramref name="currentHash"/> and the mailbox is not locked. The failure
    /// count is kept, so guesses that go on after the reset still reach MaxLogonAttempts. False when the PIN changed
    /// meanwhile (set or reset by someone else) or a lockout won the race: then nobody must be told of a new PIN.
    /// </summary>
    public async ValueTask<bool> ReplaceAfterFailures(DbConnection connection, string dialPlan, string extension, string currentHash,
        MailboxPinState replacement, bool async, CancellationToken ct)
    {
        var command = Keyed(connection, null,
            $"""
            UPDATE mailbox_pins SET hash = {P("hash")}, history = {P("history")}, set_at = {P("set_at")}, must_change = {P("must")}
            WHERE {_match} AND NOT locked_out AND hash = {P("old")}
            """,
            dialPlan, extension);
        try
        {
            dialect.Add(command, "hash", replacement.Hash);
            dialect.Add(command, "history", StoreValues.FormatList(replacement.History), json: true);
            dialect.Add(command, "set_at", dialect.SetAt(replacement.SetAt));
            dialect.Add(command, "must", replacement.MustChange);
            dialect.Add(command, "old", currentHash);
            return (async ? await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : command.ExecuteNonQuery()) == 1;
        }
        finally
        {
            await DisposeAsync(command, async).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the PIN of a removed mailbox (so a new mailbox at that extension does not inherit it).</summary>
    public void Delete(DbConnection connection, DbTransaction transaction, Mailbox removed)
    {
        using var command = Keyed(connection, transaction, $"DELETE FROM mailbox_pins WHERE {_match}", removed.DialPlan, removed.Extension);
        command.ExecuteNonQuery();
    }

    /// <summary>Carries the PIN along when an update moves a mailbox to another dial plan or extension.</summary>
    public void Move(DbConnection connection, DbTransaction transaction, Mailbox from, Mailbox to)
    {
        if (string.Equals(from.DialPlan, to.DialPlan, StringComparison.OrdinalIgnoreCase) && from.Extension == to.Extension)
        {
            return;
        }

        using var command = Keyed(connection, transaction,
            $"UPDATE mailbox_pins SET dial_plan = {P("to_dp")}, extension = {P("to_ext")} WHERE {_match}", from.DialPlan, from.Extension);
        dialect.Add(command, "to_dp", to.DialPlan);
        dialect.Add(command, "to_ext", to.Extension);
        command.ExecuteNonQuery();
    }

    private string P(string name) => dialect.Parameter(name);

    // The first row a command returns, or null.
    private async ValueTask<MailboxPinState?> ReadOne(DbCommand command, string dialPlan, string extension, bool async, CancellationToken ct)
    {
        var reader = async ? await command.ExecuteReaderAsync(ct).ConfigureAwait(false) : command.ExecuteReader();
        try
        {
            return (async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read()) ? Parse(reader, dialPlan, extension) : null;
        }
        finally
        {
            await DisposeAsync(reader, async).ConfigureAwait(false);
        }
    }

    private MailboxPinState Parse(DbDataReader reader, string dialPlan, string extension)
    {
        try
        {
            return StoreValues.ReadPin(reader, dialect.ReadSetAt);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidCastException)
        {
            // The message names the row, never its contents (they are hashes).
            throw new InvalidDataException($"table mailbox_pins has an unreadable row for {dialPlan}/{extension}", ex);
        }
    }

    private DbCommand Keyed(DbConnection connection, DbTransaction? transaction, string sql, string dialPlan, string extension)
    {
        var command = Command(connection, transaction, sql);
        dialect.Add(command, "dp", dialPlan);
        dialect.Add(command, "ext", extension);
        return command;
    }
}
