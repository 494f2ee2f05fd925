using OpenUM.Directory;
using OpenUM.Media.Audio;

namespace OpenUM.Calls;

/// <summary>What a caller to a mailbox hears before the tone: the away, personal or default greeting.</summary>
public static class MailboxGreeting
{
    /// <summary>
    /// The clips to play in turn: while the mailbox is Away, its away greeting; otherwise (or with none recorded) its
    /// personal greeting; otherwise the default one, naming the user by their spoken name when recorded, else by the
    /// extension. A recording that exists but cannot be played is reported to <paramref name="problem"/> and skipped.
    /// </summary>
    public static IReadOnlyList<AudioClip> Parts(string dataDirectory, Mailbox mailbox, string extension, PromptLibrary prompts, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(problem);
        foreach (var kind in mailbox.Away ? new[] { GreetingKind.Away, GreetingKind.Personal } : [GreetingKind.Personal])
        {
            if (GreetingStore.Load(dataDirectory, mailbox, kind, out string? trouble) is { } clip) return [clip];
            if (trouble is not null) problem(trouble);
        }
        var name = GreetingStore.Load(dataDirectory, mailbox, GreetingKind.Name, out string? nameTrouble);
        if (nameTrouble is not null) problem(nameTrouble);
        return [.. prompts.DefaultGreetingParts(extension, name)];
    }
}
