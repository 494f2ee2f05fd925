using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OpenUM.Media;

/// <summary>Streams 8 kHz mono PCM16 to a WAV file; the RIFF sizes are patched on <see cref="Complete"/> or Dispose.</summary>
public sealed class WavWriter : IDisposable
{
    private const int HeaderSize = 44;
    // RIFF sizes are 32-bit; stop growing the file before they overflow rather than write a corrupt header.
    private const long MaxDataBytes = uint.MaxValue - HeaderSize;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _scratch = new byte[4096];
    private long _dataBytes;
    private bool _completed;
    private bool _disposed;

    /// <summary>
    /// Creates the file (an <see cref="IOException"/> if it already exists; never truncates) readable and writable by
    /// the owner only on Unix, and writes a provisional header.
    /// </summary>
    public WavWriter(string path)
        : this(new FileStream(path, CreateOptions()), ownsStream: true)
    {
        Path = path;
    }

    // CreateNew: an existing file is someone's recording (or a path mix-up) and must never be truncated.
    // 0600: recordings hold callers' voices; the spool directory's permissions alone are not relied upon.
    private static FileStreamOptions CreateOptions()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 64 * 1024,
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
        if (!stream.CanSeek || !stream.CanWrite)
            throw new ArgumentException("WavWriter needs a writable, seekable stream.", nameof(stream));
        _stream = stream;
        _ownsStream = ownsStream;
        Span<byte> header = stackalloc byte[HeaderSize];
        WriteHeader(header, 0);
        _stream.Write(header);
    }

    /// <summary>The file path when created from a path.</summary>
    public string? Path { get; }

    /// <summary>Samples written so far.</summary>
    public long SamplesWritten => _dataBytes / 2;

    /// <summary>Audio duration written so far.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(SamplesWritten * (TimeSpan.TicksPerSecond / AudioClip.SampleRate));

    /// <summary>Appends samples.</summary>
    public void Write(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            throw new InvalidOperationException("The WAV file is already complete.");
        if (_dataBytes + 2L * samples.Length > MaxDataBytes)
            throw new IOException("WAV file size limit (4 GB) reached.");
        if (BitConverter.IsLittleEndian)
        {
            _stream.Write(MemoryMarshal.AsBytes(samples));
        }
        else
        {
            for (int i = 0; i < samples.Length;)
            {
                int n = Math.Min(samples.Length - i, _scratch.Length / 2);
                for (int k = 0; k < n; k++)
                    BinaryPrimitives.WriteInt16LittleEndian(_scratch.AsSpan(2 * k), samples[i + k]);
                _stream.Write(_scratch, 0, 2 * n);
                i += n;
            }
        }
        _dataBytes += 2L * samples.Length;
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

    /// <summary>Patches the header and makes the file durable (flushed to the device).</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
            return;
        PatchHeader();
        if (_stream is FileStream fs)
            fs.Flush(flushToDisk: true);
        else
            _stream.Flush();
        _completed = true;
    }

    /// <summary>Patches the header if <see cref="Complete"/> was not called (without fsync) and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        try
        {
            if (!_completed)
            {
                PatchHeader();
                _stream.Flush();
            }
        }
        finally
        {
            _disposed = true;
            if (_ownsStream)
                _stream.Dispose();
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

    private static void WriteHeader(Span<byte> h, long dataBytes)
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
