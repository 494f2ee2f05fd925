using Microsoft.Extensions.Logging;
using OpenUM.Media.Audio;

namespace OpenUM.Calls;

/// <summary>
/// Mailbox greetings in the data directory's greetings/ (set with `openum mailbox set --greeting`, played by
/// <see cref="VoicemailCall"/>): owner-only like the rest of the data directory, the folder 0700 and each greeting
/// 0600. A greeting is a user's recorded voice; nobody else on the machine has to read it.
/// </summary>
public static partial class GreetingStore
{
    /// <summary>The folder under the data directory.</summary>
    public const string FolderName = "greetings";

    /// <summary>Mode of the folder.</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Mode of each greeting.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode Others = ~DirectoryMode & (UnixFileMode)0x1FF;

    /// <summary>
    /// Writes <paramref name="wav"/> as greetings/<paramref name="fileName"/>, atomically: a new 0600 file
    /// (created with that mode, never readable by others in between), flushed to disk, then renamed over the old
    /// greeting, so a call reads the old greeting or the new one, never part of one. Returns the path relative to
    /// the data directory ("greetings/NAME"), as stored in the mailbox.
    /// </summary>
    public static string Store(string dataDirectory, string fileName, ReadOnlySpan<byte> wav)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (string.IsNullOrEmpty(fileName) || fileName != Path.GetFileName(fileName) || fileName.StartsWith('.'))
            throw new ArgumentException($"'{fileName}' is not a plain file name", nameof(fileName));
        string folder = EnsureFolder(dataDirectory);
        string target = Path.Combine(folder, fileName);
        // A name of its own: two commands storing the same greeting at once each rename a whole file.
        string temp = Path.Combine(folder, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = FileMode,
            }))
            {
                file.Write(wav);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        return FolderName + "/" + fileName;
    }

    /// <summary>
    /// The greeting a mailbox names (<paramref name="file"/>, relative to the data directory as <see cref="Store"/>
    /// returned it), or null with <paramref name="problem"/> saying why the default greeting must be played instead.
    /// Only files inside greetings/ are read: a hand-edited store cannot make a call play another file.
    /// </summary>
    public static AudioClip? Load(string dataDirectory, string file, out string? problem)
    {
        string greetings = Path.GetFullPath(Path.Combine(dataDirectory, FolderName)) + Path.DirectorySeparatorChar;
        string path = Path.GetFullPath(Path.Combine(dataDirectory, file));
        if (!path.StartsWith(greetings, StringComparison.Ordinal))
        {
            problem = $"greeting {file} lies outside {greetings}";
            return null;
        }
        try
        {
            using var stream = File.OpenRead(path);
            problem = null;
            return AudioClip.FromWav(stream);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            problem = $"greeting {path} unusable: {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// At server start: a greetings folder or greetings left readable by others (written by an older version, or
    /// copied in by hand) are made owner-only, and event 2050 says what was changed. Symbolic links are left alone
    /// (changing a link's mode would change its target's, wherever that is) and so are files that cannot be changed;
    /// the event lists both. Returns the number of entries (folder and files) changed.
    /// </summary>
    public static int Tighten(string dataDirectory, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        var folder = new DirectoryInfo(Path.Combine(dataDirectory, FolderName));
        try
        {
            if (!folder.Exists) return 0;
            if (folder.LinkTarget is not null)
            {
                GreetingsNotTightened(logger, folder.FullName, "it is a symbolic link, left alone");
                return 0;
            }
            var problems = new List<string>();
            UnixFileMode folderWas = folder.UnixFileMode;
            int changed = MakeOwnerOnly(folder, DirectoryMode, problems) ? 1 : 0;
            int files = 0;
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null) problems.Add($"{entry.Name}: a symbolic link");
                else if (entry is FileInfo && MakeOwnerOnly(entry, FileMode, problems)) files++;
            }
            changed += files;
            if (changed > 0 || problems.Count > 0)
            {
                GreetingsTightened(logger, folder.FullName, Octal(folderWas), files,
                    problems.Count == 0 ? "nothing" : string.Join("; ", problems));
            }
            return changed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal: the server starts, and the operator reads why the folder is as it was.
            GreetingsNotTightened(logger, folder.FullName, e.Message);
            return 0;
        }
    }

    private static string EnsureFolder(string dataDirectory)
    {
        var folder = System.IO.Directory.CreateDirectory(Path.Combine(dataDirectory, FolderName), DirectoryMode);
        // CreateDirectory leaves an existing folder's mode as it was.
        if ((folder.UnixFileMode & Others) != 0) folder.UnixFileMode = DirectoryMode;
        return folder.FullName;
    }

    private static bool MakeOwnerOnly(FileSystemInfo entry, UnixFileMode mode, List<string> problems)
    {
        try
        {
            if ((entry.UnixFileMode & Others) == 0) return false;
            entry.UnixFileMode = mode;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{entry.Name}: {e.Message}");
            return false;
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    [LoggerMessage(EventId = 2050, EventName = "GreetingsTightened", Level = LogLevel.Warning,
        Message = "Greetings in {Directory} were made owner-only: the folder (mode {FolderMode} before) is 0700, {Files} greeting files were made 0600; left alone: {Problems}")]
    private static partial void GreetingsTightened(ILogger logger, string directory, string folderMode, int files, string problems);

    [LoggerMessage(EventId = 2051, EventName = "GreetingsNotTightened", Level = LogLevel.Warning,
        Message = "Greetings in {Directory} could not be made owner-only: {Reason}")]
    private static partial void GreetingsNotTightened(ILogger logger, string directory, string reason);
}
