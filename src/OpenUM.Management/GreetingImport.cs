using OpenUM.Calls;
using OpenUM.Directory;
using OpenUM.Media.Audio;
using OpenUM.Server;

namespace OpenUM.Management;

/// <summary>
/// A greeting given on the command line as a WAV path: checked (a WAV the server can play) and copied into the data
/// directory, so the server never depends on a file the operator may move or delete.
/// </summary>
internal static class GreetingImport
{
    /// <summary>
    /// The stored file's data-directory name for <paramref name="source"/>; null and a name already in the data
    /// directory are returned as they are. Errors name <paramref name="field"/>.
    /// </summary>
    public static string? Store(string? source, string field, string fileName, DataDirectory data)
    {
        if (source is null || !Path.IsPathRooted(source) && source.StartsWith(GreetingStore.FolderName + "/", StringComparison.Ordinal))
            return source;
        byte[] wav;
        try
        {
            // Read once: what is checked is what is stored, even if the file changes meanwhile.
            wav = File.ReadAllBytes(source);
            using var stream = new MemoryStream(wav, writable: false);
            _ = AudioClip.FromWav(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationValidationException(field, $"cannot read '{source}': {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new ConfigurationValidationException(field, $"'{source}' is not a usable greeting: {e.Message}");
        }
        // Owner-only (0600 in a 0700 folder), written to a new file and renamed: a call never reads half a greeting.
        return GreetingStore.Store(data.Root, fileName, wav);
    }
}
