using System.Buffers.Binary;
using System.Text;

namespace OpenUM.Delivery.Tests;

/// <summary>A temporary directory with a generated WAV recording, deleted on dispose.</summary>
internal sealed class Fixture : IDisposable
{
    public Fixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "openum-dlv-tests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        WavPath = Path.Combine(Directory, "recording.wav");
        WavBytes = MakeWav(TimeSpan.FromMilliseconds(1500));
        File.WriteAllBytes(WavPath, WavBytes);
        MaildirRoot = Path.Combine(Directory, "maildir");
    }

    public string Directory { get; }

    public string WavPath { get; }

    public byte[] WavBytes { get; }

    public string MaildirRoot { get; }

    public VoiceMessage Message(string recipient = "alice@example.com", string callerId = "5551234", string? callerName = "Bob Caller") =>
        new(recipient, "Alice Example", callerId, callerName, "1234",
            new DateTimeOffset(2025, 3, 4, 10, 20, 30, TimeSpan.FromHours(1)), TimeSpan.FromSeconds(12.4), WavPath,
            "a84b4c76e66710@pc33.atlanta.example.com");

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>8 kHz mono PCM16 WAV (RIFF header + samples of a 440 Hz tone), generated, not committed.</summary>
    private static byte[] MakeWav(TimeSpan duration)
    {
        var samples = (int)(8000 * duration.TotalSeconds);
        var data = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000));
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(i * 2), value);
        }

        using var output = new MemoryStream();
        using var writer = new BinaryWriter(output, Encoding.ASCII);
        writer.Write("RIFF"u8);
        writer.Write(36 + data.Length);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(8000);
        writer.Write(16000);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
        writer.Flush();
        return output.ToArray();
    }
}
