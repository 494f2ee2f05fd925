using System.Buffers.Binary;

namespace OpenUM.Delivery.Spool;

/// <summary>
/// The WAV files of the spool (8 kHz mono PCM16 with a 44-byte header, as the recorder writes them) made whole before
/// they are composed: a recording cut short by a full disk or a crash may still carry its provisional header (data
/// size 0) or one patched before its last audio landed; its length says what it really holds.
/// </summary>
internal static class SpooledAudio
{
    private const int HeaderSize = 44;
    private const int SampleRate = 8000;
    private const long MaxDataBytes = uint.MaxValue - HeaderSize;

    /// <summary>
    /// Makes the header of <paramref name="path"/> describe the samples the file holds (an overwrite of its first 44
    /// bytes, which needs no new space) and returns their duration; null when there is no file. A file shorter than a
    /// header holds no audio (zero). Throws <see cref="IOException"/> when the header is wrong and cannot be fixed.
    /// </summary>
    public static TimeSpan? Repair(string path)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        long data;
        bool stale;
        using (handle)
        {
            long length = RandomAccess.GetLength(handle);
            if (length < HeaderSize)
                return TimeSpan.Zero;
            data = Math.Min(length - HeaderSize, MaxDataBytes) & ~1L;
            Span<byte> actual = stackalloc byte[HeaderSize];
            Span<byte> expected = stackalloc byte[HeaderSize];
            stale = RandomAccess.Read(handle, actual, 0) < HeaderSize | !actual.SequenceEqual(Header(expected, data))
                | length != HeaderSize + data;
        }
        if (stale)
        {
            // Opened for writing only when needed: on a read-only file system a correct file is still delivered. The
            // half sample a cut-short write may leave goes, so that the RIFF size is the file's (shrinking needs no space).
            using var writable = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            Span<byte> header = stackalloc byte[HeaderSize];
            RandomAccess.Write(writable, Header(header, data), 0);
            RandomAccess.SetLength(writable, HeaderSize + data);
            RandomAccess.FlushToDisk(writable);
        }
        return TimeSpan.FromTicks(data / 2 * (TimeSpan.TicksPerSecond / SampleRate));
    }

    /// <summary>
    /// The message as it really is: its audio's header fixed to the file's length, and that length its duration. A
    /// message whose audio is gone (none was ever written, or a crash came after it was removed) is still delivered,
    /// saying so.
    /// </summary>
    public static VoiceMessage ForDelivery(VoiceMessage message)
    {
        var landed = Repair(message.AudioPath);
        if (landed is null)
            return message with { AudioPath = "", Duration = TimeSpan.Zero, Truncated = message.Truncated ?? "the recording could not be saved" };
        return message with { Duration = landed.Value };
    }

    /// <summary>
    /// About the space delivering a message with this audio takes: a maildir message or an outbox file is the audio in
    /// base64 (4/3, plus line ends) and a few KB of text.
    /// </summary>
    public static long SpaceToDeliver(string audioPath) => Length(audioPath) * 7 / 5 + 64 * 1024;

    /// <summary>The audio the file holds by its length (zero when it is gone), without touching it.</summary>
    public static TimeSpan DurationOf(string path) =>
        TimeSpan.FromTicks(Math.Max(0, Length(path) - HeaderSize) / 2 * (TimeSpan.TicksPerSecond / SampleRate));

    /// <summary>Bytes the file takes now (0 when it is gone).</summary>
    public static long Length(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static Span<byte> Header(Span<byte> h, long dataBytes)
    {
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(36 + dataBytes));
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1);              // PCM
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 1);              // mono
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], SampleRate * 2); // byte rate
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 2);              // block align
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);             // bits per sample
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], (uint)dataBytes);
        return h;
    }
}
