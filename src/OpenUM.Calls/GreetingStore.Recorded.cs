using System.Buffers;
using OpenUM.Directory;
using OpenUM.Media.Audio;

namespace OpenUM.Calls;

/// <summary>Which of a mailbox's recordings (all set by phone; the personal greeting also by `mailbox set --greeting`).</summary>
public enum GreetingKind
{
    /// <summary>The personal greeting, played to callers (the mailbox's GreetingFile).</summary>
    Personal,
    /// <summary>The away greeting (Exchange's extended absence greeting), played instead while the mailbox is Away.</summary>
    Away,
    /// <summary>The user's spoken name: "You have reached" + name in the default greeting, and the directory.</summary>
    Name,
}

public static partial class GreetingStore
{
    private static readonly SearchValues<char> FileNameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>
    /// The file a mailbox's recording of <paramref name="kind"/> is stored as: DIALPLAN-EXTENSION.wav for the personal
    /// greeting (as `mailbox set --greeting` stores it), with -away or -name before .wav for the others. Extensions are
    /// digits, so no mailbox's personal greeting can take another one's away greeting or name.
    /// </summary>
    public static string FileNameFor(string dialPlan, string extension, GreetingKind kind)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        ArgumentNullException.ThrowIfNull(extension);
        string plan = dialPlan.AsSpan().ContainsAnyExcept(FileNameCharacters)
            ? string.Create(dialPlan.Length, dialPlan, static (chars, plan) =>
            {
                for (int i = 0; i < plan.Length; i++) chars[i] = FileNameCharacters.Contains(plan[i]) ? plan[i] : '_';
            })
            : dialPlan; // per call: most dial plan names need no change
        string stem = plan + "-" + extension;
        return kind switch
        {
            GreetingKind.Personal => stem + ".wav",
            GreetingKind.Away => stem + "-away.wav",
            GreetingKind.Name => stem + "-name.wav",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>
    /// The recording of <paramref name="kind"/> for <paramref name="mailbox"/>, or null: the personal greeting is the
    /// file the mailbox names; the away greeting and the name are found by <see cref="FileNameFor"/>, and their absence
    /// is no problem (nothing recorded yet). <paramref name="problem"/> says why a recording that exists is unusable.
    /// </summary>
    public static AudioClip? Load(string dataDirectory, Mailbox mailbox, GreetingKind kind, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        problem = null;
        if (kind == GreetingKind.Personal)
            return mailbox.GreetingFile is { } file ? Load(dataDirectory, file, out problem) : null;
        string relative = FolderName + "/" + FileNameFor(mailbox.DialPlan, mailbox.Extension, kind);
        return File.Exists(Path.Combine(dataDirectory, relative)) ? Load(dataDirectory, relative, out problem) : null;
    }

    /// <summary>The user's spoken name recorded by phone, or null (none recorded, or unusable): for the default greeting and the directory.</summary>
    public static AudioClip? SpokenName(string dataDirectory, Mailbox mailbox) => Load(dataDirectory, mailbox, GreetingKind.Name, out _);

    /// <summary>
    /// Where a recording by phone is made before it is accepted: a new hidden name inside greetings/ (created owner-only
    /// if missing), so the accepted file is renamed on the same file system and nobody else can read it meanwhile.
    /// </summary>
    public static string NewRecordingPath(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return Path.Combine(EnsureFolder(dataDirectory), $".recording-{Guid.NewGuid():N}.wav");
    }

    /// <summary>
    /// Checks <paramref name="wav"/> as `mailbox set --greeting` does (a WAV the server can play) and stores it as the
    /// mailbox's recording of <paramref name="kind"/> with <see cref="Store"/> (atomic, owner-only). Returns the path
    /// relative to the data directory; <see cref="InvalidDataException"/> when it is not a usable WAV.
    /// </summary>
    public static string StoreRecording(string dataDirectory, Mailbox mailbox, GreetingKind kind, byte[] wav)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(wav);
        using (var stream = new MemoryStream(wav, writable: false))
            _ = AudioClip.FromWav(stream);
        return Store(dataDirectory, FileNameFor(mailbox.DialPlan, mailbox.Extension, kind), wav);
    }
}
