using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OpenUM.Media.Audio;

/// <summary>
/// Streams 8 kHz mono PCM16 to a WAV file; the RIFF sizes are patched on <see cref="Complete"/> or Dispose. A write
/// that fails (disk full, quota, read-only file system) leaves the file with the audio that really landed and a
/// header that says so: see <see cref="Failure"/>.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int HeaderSize = 44;
    // RIFF sizes are 32-bit; stop growing the file before they overflow rather than write a corrupt header.
    private const long MaxDataBytes = uint.MaxValue - HeaderSize;
    // The writer buffers itself (the file is opened unbuffered) so that after a failed write it knows what it handed
    // to the file system, and the file's length says what landed. 4 KiB is 256 ms of audio, held by every recording
    // for the whole call: about 4 write(2)s a second per call (7,800 a second at 2,000 calls, ~4 µs each to the page
    // cache: ~3 % of a core, against ~1.5 % for a quarter as many 16 KiB writes of ~7 µs), and at most that much lost
    // should the process die.
    internal const int BufferSize = 4 * 1024;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _buffered;
    private long _dataBytes;
    private bool _completed;
    private bool _disposed;

    /// <summary>
    /// Creates the file (an <see cref="IOException"/> if it already exists; never truncates) readable and writable by
    /// the owner only on Unix. Nothing is written yet: the header goes out with the first audio.
    /// </summary>
    public WavWriter(string path)
        : this(new FileStream(path, CreateOptions()), ownsStream: true)
    {
        Path = path;
    }

    // CreateNew: an existing file is someone's recording (or a path mix-up) and must never be truncated.
    // 0600: recordings hold callers' voices; the spool directory's permissions alone are not relied upon.
    // BufferSize 0: FileStream's own buffer would hide how much of a failed write reached the file.
    private static FileStreamOptions CreateOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    /// <summary>Writes to a seekable stream (tests, memory); the stream is left open.</summary>
    public WavWriter(Stream stream)
        : this(stream, ownsStream: false)
    {
    }

    private WavWriter(Stream stream, bool ownsStream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = ownsStream;
        if (!stream.CanSeek || !stream.CanWrite)
        {
            if (ownsStream)
                stream.Dispose();
            throw new ArgumentException("WavWriter needs a writable, seekable stream.", nameof(stream));
        }
        // A provisional header (sizes 0, patched later): a reader of a file cut short by a crash still knows the format.
        WriteHeader(_buffer, 0);
        _buffered = HeaderSize;
    }

    /// <summary>The file path when created from a path.</summary>
    public string? Path { get; }

    /// <summary>Samples written so far (after a failure: the samples that landed).</summary>
    public long SamplesWritten => _dataBytes / 2;

    /// <summary>Audio duration written so far (after a failure: the audio that landed).</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(SamplesWritten * (TimeSpan.TicksPerSecond / AudioClip.SampleRate));

    /// <summary>
    /// The write error that ended this file, or null. After it the writer takes no more audio; the file holds the
    /// samples that landed before it, and its header says so (unless patching the header failed too: a reader can
    /// then take the data size from the file's length).
    /// </summary>
    public IOException? Failure { get; private set; }

    /// <summary>Appends samples.</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        ThrowIfClosed();
        if (_dataBytes + 2L * samples.Length > MaxDataBytes)
            throw new IOException("WAV file size limit (4 GB) reached.");
        while (samples.Length > 0)
        {
            int n = Math.Min(samples.Length, (_buffer.Length - _buffered) / 2);
            var target = _buffer.AsSpan(_buffered, 2 * n);
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.AsBytes(samples[..n]).CopyTo(target);
            }
            else
            {
                for (int k = 0; k < n; k++)
                    BinaryPrimitives.WriteInt16LittleEndian(target[(2 * k)..], samples[k]);
            }
            _buffered += 2 * n;
            _dataBytes += 2L * n;
            samples = samples[n..];
            if (_buffered > _buffer.Length - 2)
                WriteBuffer();
        }
    }

    /// <summary>Appends <paramref name="count"/> samples of silence.</summary>
    public void WriteSilence(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        short[] zeros = ArrayPool<short>.Shared.Rent(Math.Min(count, 2048));
        try
        {
            Array.Clear(zeros);
            while (count > 0)
            {
                int n = Math.Min(count, zeros.Length);
                Write(zeros.AsSpan(0, n));
                count -= n;
            }
        }
        finally
        {
            ArrayPool<short>.Shared.Return(zeros);
        }
    }

    /// <summary>Writes what is buffered, patches the header and makes the file durable (flushed to the device).</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            return;
        if (Failure is { } failure)
            throw new IOException("The WAV file could not be written: " + failure.Message, failure);
        WriteBuffer();
        try
        {
            PatchHeader();
            if (_stream is FileStream fs)
                fs.Flush(flushToDisk: true);
            else
                _stream.Flush();
        }
        catch (IOException e)
        {
            // The audio itself is written; a reader can take the data size from the length if the header is stale.
            Failure = e;
            throw;
        }
        _completed = true;
    }

    /// <summary>
    /// Writes what is buffered and patches the header if <see cref="Complete"/> was not called (without fsync), then
    /// closes the file. Never throws for a write error: the file then keeps what landed (see <see cref="Failure"/>).
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        try
        {
            if (!_completed && Failure is null)
            {
                WriteBuffer();
                PatchHeader();
                _stream.Flush();
            }
        }
        catch (IOException e)
        {
            Failure ??= e;
        }
        finally
        {
            _disposed = true;
            if (_ownsStream)
                _stream.Dispose();
        }
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            throw new InvalidOperationException("The WAV file is already complete.");
        if (Failure is { } failure)
            throw new InvalidOperationException("The WAV file could not be written: " + failure.Message, failure);
    }

    private void WriteBuffer()
    {
        if (_buffered == 0)
            return;
        try
        {
            _stream.Write(_buffer, 0, _buffered);
            _buffered = 0;
        }
        catch (IOException e)
        {
            KeepWhatLanded(e);
            throw;
        }
    }

    // A write(2) that runs out of space writes what fits and then fails; what is in the file now is the truth. The
    // header is patched to that (an overwrite of bytes already allocated, which needs no new space), rounded down
    // to whole samples. Should even that fail, the provisional header stays and readers go by the file's length.
    private void KeepWhatLanded(IOException error)
    {
        Failure = error;
        long length;
        try
        {
            length = _stream.Length;
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            length = 0;
        }
        _dataBytes = Math.Clamp(length - HeaderSize, 0, _dataBytes) & ~1L;
        _buffered = 0;
        if (length < HeaderSize)
            return; // not even the header landed: there is nothing to describe
        try
        {
            PatchHeader();
            _stream.Flush();
        }
        catch (IOException)
        {
        }
    }

    private void PatchHeader()
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, _dataBytes);
        long end = _stream.Position;
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Position = end;
    }

    /// <summary>The 44-byte header of a file of ours (8 kHz mono PCM16) holding <paramref name="dataBytes"/> of audio.</summary>
    internal static void WriteHeader(Span<byte> h, long dataBytes)
    {
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1);          // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 1);          // mono
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], AudioClip.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], AudioClip.SampleRate * 2); // byte rate
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 2);          // block align
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);         // bits per sample
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], (uint)dataBytes);
    }
}
