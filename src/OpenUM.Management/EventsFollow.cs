using System.Text;
using OpenUM.Server.Logging;

namespace OpenUM.Management;

/// <summary>
/// Reads events.jsonl as the server writes it (`openum events --follow`): complete lines only, and across rotation (when
/// events.jsonl is renamed events.1.jsonl the rest of the old file is read, then the new events.jsonl from its start).
/// </summary>
internal sealed class EventsFollow(string path) : IDisposable
{
    // A line longer than this without a newline is not an event line: dropped rather than held in memory.
    private const int MaxPendingBytes = 1 << 20;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();
    private FileStream? _stream;
    private FileIdentity? _identity;

    /// <summary>The complete lines written since the last call (all of the file's lines on the first call).</summary>
    public List<string> ReadAvailable()
    {
        var lines = new List<string>();
        if (_stream is null && !TryOpen()) return lines;
        // Looked at before reading: once the server has renamed the file it writes no more to it, so the drain below
        // takes everything the old file will ever hold before we move on to the new one.
        var now = AppendOnlyFile.IdentityOf(path);
        Drain(lines);
        if (now is null || !now.Value.SameFile(_identity!.Value))
        {
            _stream!.Dispose();
            (_stream, _identity) = (null, null);
            _pending.SetLength(0);
            if (TryOpen()) Drain(lines);
        }
        return lines;
    }

    private bool TryOpen()
    {
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _identity = AppendOnlyFile.IdentityOf(_stream.SafeFileHandle);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private void Drain(List<string> lines)
    {
        int n;
        while ((n = _stream!.Read(_buffer)) > 0)
        {
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (_buffer[i] != (byte)'\n') continue;
                _pending.Write(_buffer, start, i - start);
                if (_pending.Length > 0) lines.Add(Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length));
                _pending.SetLength(0);
                start = i + 1;
            }
            _pending.Write(_buffer, start, n - start);
            if (_pending.Length > MaxPendingBytes) _pending.SetLength(0);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream?.Dispose();
        _pending.Dispose();
    }
}
