namespace OpenUM.Server.Logging;

/// <summary>What an append did besides appending: rotated events.jsonl, or tried and failed.</summary>
public readonly record struct RotationOutcome(bool Rotated, long SizeBefore, string? Deleted, string? Error, long RetryAtBytes);

/// <summary>Why a line did not reach events.jsonl: the call that failed and its errno, or a message (rare paths).</summary>
public readonly record struct EventFileError(string Operation, int Errno, string? Message = null)
{
    /// <summary>"cannot write /data/events.jsonl: No space left on device (errno 28)".</summary>
    public string Describe(string path) => Message ?? $"{Operation} {path}: {AppendOnlyFile.Describe(Errno)}";
}

/// <summary>
/// Appends lines to events.jsonl. Without a rotation policy (CLI commands) every line opens, appends and
/// closes the file, so a command never writes into a file the server has renamed. With one (the server)
/// the file stays open. The path is checked (one statx(2)) at most once per <see cref="PathCheckInterval"/>, after a
/// failed write and at a rotation, so a rename or deletion by someone else (an operator's logrotate) is followed by a
/// reopen within that second; the lines of that second go, whole, to the file under its new name, so none is lost (a
/// deletion's second goes into the deleted file: those lines are gone with it). In
/// between, the file's size is our own count (the last statx plus what we appended; a command's lines are counted at
/// the next check). A line that would take the file beyond the limit first rotates it:
/// events.(N-1) to events.N (the oldest is deleted), ..., events.jsonl to events.1.jsonl, then a new
/// events.jsonl. Only the server rotates; a command's line appended to the old file while it is being
/// renamed lands, whole, at the end of events.1.jsonl.
/// While the file cannot be written (full or read-only disk, a directory in its place) each line costs one
/// attempt: one write(2) to the file held open, or one open(2) when there is none; no retry, no sleep, no
/// exception. The first attempt that succeeds is the resumption, with nothing to restart. Not thread-safe:
/// the caller serializes.
/// </summary>
public sealed class EventFileAppender : IDisposable
{
    private readonly string _path;
    private readonly EventLogRotation? _rotation;
    private readonly AppendOnlyFile.WriteCall? _write;
    private readonly TimeProvider _time;
    private AppendOnlyFile? _file;
    private FileIdentity _identity;
    private long _size; // of the held file: at the last statx, plus our lines since
    private long _nextPathCheck; // a TimeProvider timestamp: monotonic, so a clock set back cannot delay a check
    private bool _startOnNewLine;
    private bool _failing;
    private long _retryRotationAtSize;

    /// <summary>Appends to <paramref name="path"/>; <paramref name="rotation"/> null = one open per line, never rotate.</summary>
    /// <param name="path">events.jsonl.</param>
    /// <param name="rotation">The server's rotation policy, or null.</param>
    /// <param name="write">write(2) (null: libc's); tests pass one that fails.</param>
    /// <param name="time">The clock of the path checks (null: the system's).</param>
    public EventFileAppender(string path, EventLogRotation? rotation, AppendOnlyFile.WriteCall? write = null, TimeProvider? time = null)
    {
        _path = path;
        _rotation = rotation;
        _write = write;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How often, at most, the server's appender looks at the path for a rename by someone else.</summary>
    public static readonly TimeSpan PathCheckInterval = TimeSpan.FromSeconds(1);

    private long NextPathCheck(long now) => now + (long)(PathCheckInterval.TotalSeconds * _time.TimestampFrequency);

    /// <summary>The current file's path (events.jsonl).</summary>
    public string Path => _path;

    /// <summary>True while the last line could not be written.</summary>
    public bool Failing => _failing;

    /// <summary>Appends one whole line (ending in a newline); throws IOException when it cannot be written.</summary>
    public RotationOutcome Append(ReadOnlySpan<byte> line) =>
        TryAppend(line, out var outcome, out var error) ? outcome : throw new IOException(error.Describe(_path));

    /// <summary>Appends one whole line (ending in a newline); false, and why, when it cannot be written.</summary>
    public bool TryAppend(ReadOnlySpan<byte> line, out RotationOutcome outcome, out EventFileError error)
    {
        outcome = default;
        if (_rotation is null) return TryAppendOnce(line, out error);
        if (_failing && _file is not null)
        {
            // The disk was full: one write(2), without looking at the path first.
            if (!TryWrite(_file, line, out error)) return false;
            _failing = false;
            // Written. Unless the path names another file by now (moved or deleted while the disk was full),
            // that was the line's place; otherwise it goes again into the file at the path, below.
            if (PathNamesHeldFile()) return true;
        }
        if (!TryFollowPath(out long size, out error))
        {
            _failing = true;
            return false;
        }
        if (size > 0 && size + line.Length > _rotation.MaxBytes && size >= _retryRotationAtSize)
            outcome = Rotate(_rotation, size);
        if (_file is null)
        {
            error = new EventFileError("cannot open", 0, $"cannot open {_path} after rotating it: {outcome.Error}");
            _failing = true;
            return false;
        }
        if (!TryWrite(_file, line, out error))
        {
            _failing = true;
            _nextPathCheck = default; // the next line looks at the path first
            return false;
        }
        _failing = false;
        return true;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private bool TryAppendOnce(ReadOnlySpan<byte> line, out EventFileError error)
    {
        using var once = AppendOnlyFile.TryOpen(_path, _write, out int errno);
        if (once is null)
        {
            error = new EventFileError("cannot open", errno);
            return false;
        }
        try
        {
            bool newLine = once.EndsInsideALine();
            return TryWrite(once, line, newLine, out error);
        }
        catch (IOException e)
        {
            error = new EventFileError("cannot stat", 0, e.Message);
            return false;
        }
    }

    private bool TryWrite(AppendOnlyFile file, ReadOnlySpan<byte> line, out EventFileError error)
    {
        bool ok = TryWrite(file, line, _startOnNewLine, out error);
        if (ok && file == _file) _size += line.Length + (_startOnNewLine ? 1 : 0);
        // A line cut short (crash, or a full disk with another writer behind it) is ended by the next line written.
        _startOnNewLine = ok ? false : _startOnNewLine || file.LeftPartialLine;
        return ok;
    }

    // One write(2) for the line and the newline that may have to go before it, so the line stays one O_APPEND write.
    private static bool TryWrite(AppendOnlyFile file, ReadOnlySpan<byte> line, bool newLineFirst, out EventFileError error)
    {
        int errno;
        if (!newLineFirst)
        {
            errno = file.TryAppend(line);
        }
        else
        {
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(line.Length + 1);
            buffer[0] = (byte)'\n';
            line.CopyTo(buffer.AsSpan(1));
            errno = file.TryAppend(buffer.AsSpan(0, line.Length + 1));
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        error = errno == 0 ? default : new EventFileError("cannot write", errno);
        return errno == 0;
    }

    private bool PathNamesHeldFile()
    {
        try
        {
            return AppendOnlyFile.IdentityOf(_path) is { } now && now.SameFile(_identity);
        }
        catch (IOException)
        {
            return false;
        }
    }

    // Between path checks, nothing: the held file and our count of its size. At a check, one statx(2), which catches a
    // rename or deletion by anyone. Without an open file, one open(2). True with the file's size; false when the file
    // at the path cannot be opened.
    private bool TryFollowPath(out long size, out EventFileError error)
    {
        error = default;
        if (_file is not null)
        {
            long tick = _time.GetTimestamp();
            if (tick < _nextPathCheck)
            {
                size = _size;
                return true;
            }
            _nextPathCheck = NextPathCheck(tick);
            try
            {
                if (AppendOnlyFile.IdentityOf(_path) is { } now && now.SameFile(_identity))
                {
                    size = _size = now.Size;
                    return true;
                }
            }
            catch (IOException e)
            {
                size = 0;
                error = new EventFileError("cannot stat", 0, e.Message);
                return false;
            }
        }
        bool opened = TryReopen(out error);
        size = opened ? _identity.Size : 0;
        return opened;
    }

    private bool TryReopen(out EventFileError error)
    {
        var file = AppendOnlyFile.TryOpen(_path, _write, out int errno);
        if (file is null)
        {
            // The file held open is no longer at the path: writing on into it would lose the lines.
            _file?.Dispose();
            _file = null;
            error = new EventFileError("cannot open", errno);
            return false;
        }
        try
        {
            _identity = file.Identity();
            _size = _identity.Size;
            _nextPathCheck = NextPathCheck(_time.GetTimestamp());
            _startOnNewLine = file.EndsInsideALine();
        }
        catch (IOException e)
        {
            file.Dispose();
            error = new EventFileError("cannot stat", 0, e.Message);
            return false;
        }
        _file?.Dispose();
        _file = file;
        error = default;
        return true;
    }

    private void Reopen()
    {
        if (!TryReopen(out var error)) throw new IOException(error.Describe(_path));
    }

    private RotationOutcome Rotate(EventLogRotation rotation, long size)
    {
        string? deleted = null;
        try
        {
            // Oldest first, so a failure half-way loses no file but the one meant to go.
            foreach (int n in EventLogFiles.RotatedNumbers(_path).Where(n => n >= rotation.Files))
            {
                string old = EventLogFiles.RotatedPath(_path, n);
                File.Delete(old);
                deleted = deleted is null ? System.IO.Path.GetFileName(old) : deleted + ", " + System.IO.Path.GetFileName(old);
            }
            for (int n = rotation.Files - 1; n >= 1; n--)
            {
                string from = EventLogFiles.RotatedPath(_path, n);
                if (File.Exists(from)) File.Move(from, EventLogFiles.RotatedPath(_path, n + 1), overwrite: true);
            }
            File.Move(_path, EventLogFiles.RotatedPath(_path, 1), overwrite: true);
            Reopen();
            _retryRotationAtSize = 0;
            return new RotationOutcome(true, size, deleted, null, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep appending to the file we have rather than lose events; try again after some growth, not per line.
            _retryRotationAtSize = size + Math.Max(rotation.MaxBytes / 8, 64 * 1024);
            if (_file is null || !PathNamesHeldFile()) TryReopen(out _);
            return new RotationOutcome(false, size, deleted, e.Message, _retryRotationAtSize);
        }
    }
}
