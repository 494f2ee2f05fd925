using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenUM.Server.Backup;

/// <summary>The last entry of a backup archive: what was saved, from which store, and each file's size and SHA-256.</summary>
public sealed record BackupManifest
{
    /// <summary>The archive format this build writes and reads.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Name of the manifest entry in the archive.</summary>
    public const string EntryName = "manifest.json";

    /// <summary>Archive format version; a reader refuses a format it does not know.</summary>
    public required int Format { get; init; }

    /// <summary>Version of the OpenUM that wrote the archive.</summary>
    public required string OpenUmVersion { get; init; }

    /// <summary>When the backup was taken.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Where the configuration came from: <c>sqlite</c> (config.db, an online copy) or <c>postgres</c> (configuration.json).</summary>
    public required string Store { get; init; }

    /// <summary>Configuration version at the time of the backup.</summary>
    public long ConfigurationVersion { get; init; }

    /// <summary>Every other entry of the archive, in archive order.</summary>
    public required IReadOnlyList<BackupFile> Files { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The manifest as UTF-8 JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a manifest; a malformed one or an unknown format is a <see cref="BackupException"/>.</summary>
    public static BackupManifest Parse(ReadOnlySpan<byte> json)
    {
        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(json, Json);
        }
        catch (JsonException e)
        {
            throw new BackupException($"the archive's {EntryName} is not valid JSON ({e.Message}): the file is damaged or not an OpenUM backup");
        }

        if (manifest is null || manifest.Files is null)
            throw new BackupException($"the archive's {EntryName} is empty: the file is damaged or not an OpenUM backup");
        if (manifest.Format != CurrentFormat)
            throw new BackupException($"the archive has format {manifest.Format} (written by OpenUM {manifest.OpenUmVersion}); this OpenUM reads format {CurrentFormat}: restore it with that version");
        return manifest;
    }
}

/// <summary>One file of a backup: its path relative to the data directory, size and SHA-256 (lower-case hex).</summary>
public sealed record BackupFile(string Path, long Size, string Sha256);

/// <summary>A backup or restore that cannot be done; the message names the cause and the fix.</summary>
public sealed class BackupException(string message) : Exception(message);
