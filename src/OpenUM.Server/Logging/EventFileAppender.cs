namespace OpenUM.Server.Logging;

/// <summary>What an append did besides appending: rotated events.jsonl, or tried and failed.</summary>
public readonly record struct RotationOutcome(bool Rotated, long SizeBefore, string? Deleted, string? Error, long RetryAtBytes);

/// <summary>
/// Appends lines to events.jsonl. Without a rotation policy (CLI commands) every line opens, appends and
/// closes the file, so a command never writes into a file the server has renamed. With one (the server)
/// the file stays open; before each line the path is checked, so a rename (ours or an operator's) is
/// followed by a reopen, and a line that would take the file beyond the limit first rotates it:
/// events.(N-1) to events.N (the oldest is deleted), ..., events.jsonl to events.1.jsonl, then a new
/// events.jsonl. Only the server rotates; a command's line appended to the old file while it is being
/// renamed lands, whole, at the end of events.1.jsonl. Not thread-safe: the caller serializes.
/// </summary>
public sealed class EventFileAppender : IDisposable
{
    private readonly string _path;
    private readonly EventLogRotation? _rotation;
    private AppendOnlyFile? _file;
    private FileIdentity _identity;
    private bool _startOnNewLine;
    private long _retryRotationAtSize;

    /// <summary>Appends to <paramref name="path"/>; <paramref name="rotation"/> null = one open per line, never rotate.</summary>
    public EventFileAppender(string path, EventLogRotation? rotation)
    {
        _path = path;
        _rotation = rotation;
    }

    /// <summary>The current file's path (events.jsonl).</summary>
    public string Path => _path;

    /// <summary>Appends one whole line (ending in a newline); throws IOException when it cannot be written.</summary>
    public RotationOutcome Append(ReadOnlySpan<byte> line)
    {
        if (_rotation is null)
        {
            using var once = AppendOnlyFile.Open(_path);
            if (once.EndsInsideALine()) once.Append("\n"u8);
            once.Append(line);
            return default;
        }
        long size = FollowPath();
        RotationOutcome outcome = default;
        if (size > 0 && size + line.Length > _rotation.MaxBytes && size >= _retryRotationAtSize)
            outcome = Rotate(_rotation, size);
        var file = _file!;
        try
        {
            // A line cut short (crash, full disk) is ended first, so it cannot glue itself to this one.
            if (_startOnNewLine) file.Append("\n"u8);
            file.Append(line);
            _startOnNewLine = false;
        }
        catch (IOException)
        {
            _startOnNewLine = true; // how much went out is unknown
            throw;
        }
        return outcome;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    // One statx(2) per line: cheap next to the write, and it catches a rename or deletion by anyone.
    private long FollowPath()
    {
        if (_file is not null && AppendOnlyFile.IdentityOf(_path) is { } now && now.SameFile(_identity))
            return now.Size;
        Reopen();
        return _identity.Size;
    }

    private void Reopen()
    {
        var file = AppendOnlyFile.Open(_path);
        _file?.Dispose();
        _file = file;
        _identity = file.Identity();
        _startOnNewLine = file.EndsInsideALine();
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
            if (_file is null || AppendOnlyFile.IdentityOf(_path) is null) Reopen();
            return new RotationOutcome(false, size, deleted, e.Message, _retryRotationAtSize);
        }
    }
}
