using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenUM.Delivery.Spool;

/// <summary>Where a spooled recording stands on disk.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SpoolState>))]
internal enum SpoolState
{
    /// <summary>Described at the start of the recording; its audio is being written (or was, when the server stopped).</summary>
    Recording,
    /// <summary>Handed over after the recording ended: the description holds its length and whether it is complete.</summary>
    Recorded,
}

/// <summary>The description of one spooled recording, as stored beside its WAV file.</summary>
internal sealed record SpoolEntry(SpoolState State, VoiceMessage Message);

/// <summary>
/// The spool directory: <c>&lt;id&gt;.json</c> (a <see cref="SpoolEntry"/>) and <c>&lt;id&gt;.wav</c>, owner-only. A
/// description is written to a temporary file, fsync'd, renamed over <c>&lt;id&gt;.json</c> and the directory fsync'd:
/// it is either the old one or the new one, whole, after any crash.
/// </summary>
internal sealed class SpoolFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private const string TempSuffix = ".tmp";

    public SpoolFiles(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory, OwnerOnlyDirectory);
    }

    public string Directory { get; }

    public string JsonPath(string id) => Path.Combine(Directory, id + ".json");

    public string AudioPath(string id) => Path.Combine(Directory, id + ".wav");

    /// <summary>Temporary file, fsync, rename over the description, fsync of the directory.</summary>
    public async Task WriteAsync(string id, SpoolEntry entry, Action<string>? checkpoint)
    {
        string temp = Path.Combine(Directory, $"{id}.json.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                Options = FileOptions.Asynchronous, UnixCreateMode = OwnerOnlyFile,
            }))
            {
                await JsonSerializer.SerializeAsync(file, entry).ConfigureAwait(false);
                await file.FlushAsync().ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            checkpoint?.Invoke("entry-written:" + entry.State);
            File.Move(temp, JsonPath(id), overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        DirectorySync.Flush(Directory);
    }

    /// <summary>Reads a description; an entry of the format before the spool kept a state is a recorded message.</summary>
    public static SpoolEntry? Read(string jsonPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(jsonPath));
        if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
        if (document.RootElement.TryGetProperty(nameof(SpoolEntry.Message), out _))
            return document.RootElement.Deserialize<SpoolEntry>();
        return document.RootElement.Deserialize<VoiceMessage>() is { } message ? new SpoolEntry(SpoolState.Recorded, message) : null;
    }

    /// <summary>Ids with a description, in id order (spool ids sort by the time they were made).</summary>
    public IEnumerable<string> EntryIds() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal);

    /// <summary>Ids with audio.</summary>
    public IEnumerable<string> AudioIds() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.wav").Select(p => Path.GetFileNameWithoutExtension(p));

    /// <summary>
    /// Removes a delivered recording: audio first, description last, each removal made durable before the next, so a
    /// crash in between leaves a description (which the next start finds delivered) and never audio without one.
    /// </summary>
    public void Remove(string id, Action<string>? checkpoint)
    {
        DeleteIfPresent(AudioPath(id));
        DirectorySync.Flush(Directory);
        checkpoint?.Invoke("audio-removed");
        DeleteIfPresent(JsonPath(id));
        DirectorySync.Flush(Directory);
    }

    /// <summary>Deletes temporary files left by a crash, except those of <paramref name="inUse"/> ids.</summary>
    public void DeleteTemporaries(Func<string, bool> inUse)
    {
        foreach (var temp in System.IO.Directory.EnumerateFiles(Directory, "*" + TempSuffix))
        {
            string name = Path.GetFileName(temp);
            int dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && !inUse(name[..dot])) TryDelete(temp);
        }
    }

    private static void DeleteIfPresent(string path)
    {
        // File.Delete of a missing file is not an error; anything else (a read-only file system) is.
        File.Delete(path);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
