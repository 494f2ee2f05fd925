using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>A stored message's WAV attachment as a clip to play.</summary>
public static class MessageAudio
{
    /// <summary>The clip of <paramref name="wav"/>, or null when there is none or it does not decode (the message is then announced without audio).</summary>
    public static AudioClip? Decode(byte[]? wav)
    {
        if (wav is null) return null;
        try
        {
            using var stream = new MemoryStream(wav, writable: false);
            return AudioClip.FromWav(stream);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
