namespace OpenUM.Directory;

/// <summary>A UM-enabled mailbox (Exchange Enable-/Set-UMMailbox): extension in a dial plan and delivery address.</summary>
public sealed record Mailbox
{
    /// <summary>Stable identity.</summary>
    public Guid Id { get; init; } = Guid.NewGuid();

    /// <summary>Digits only, exactly the dial plan's NumberOfDigitsInExtension; unique within the dial plan.</summary>
    public required string Extension { get; init; }

    /// <summary>Name shown in messages and prompts.</summary>
    public string DisplayName { get; init; } = "";

    /// <summary>Where voice messages are delivered; unique across mailboxes.</summary>
    public required string EmailAddress { get; init; }

    /// <summary>SIP URI of the user (required in SipName dial plans).</summary>
    public string? SipUri { get; init; }

    /// <summary>
    /// The address a SIP URI names, as SipName dial plans compare it: user@host, without scheme (sip and sips name the
    /// same user), port, parameters or headers; the host lower-cased (RFC 3261 §19.1.4: case-insensitive), the user part
    /// kept as is (case-sensitive). Null when <paramref name="uri"/> has no user@host.
    /// </summary>
    public static string? SipAddressOf(string? uri)
    {
        if (uri is null) return null;
        var rest = uri.AsSpan().Trim();
        if (rest.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)) rest = rest[5..];
        else if (rest.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)) rest = rest[4..];
        else return null;
        var end = rest.IndexOfAny(';', '?');
        if (end >= 0) rest = rest[..end];
        var at = rest.LastIndexOf('@');
        if (at <= 0 || at == rest.Length - 1) return null;
        var user = rest[..at];
        var host = rest[(at + 1)..];
        // host:port, or [v6]:port
        var colon = host.LastIndexOf(':');
        if (colon >= 0 && host.LastIndexOf(']') < colon) host = host[..colon];
        if (host.IsEmpty) return null;
        return string.Concat(user, "@", host.ToString().ToLowerInvariant());
    }

    /// <summary>Name of the dial plan.</summary>
    public required string DialPlan { get; init; }

    /// <summary>Name of the mailbox policy (of the same dial plan); null = the default policy (<see cref="Directory.MailboxPolicy.DefaultFor"/>).</summary>
    public string? MailboxPolicy { get; init; }

    /// <summary>Greeting WAV, relative to the data directory.</summary>
    public string? GreetingFile { get; init; }

    /// <summary>
    /// The user is away (Exchange's extended absence, or out-of-office, greeting is on): callers hear the away greeting
    /// recorded by phone instead of the personal one, or the personal/default one while none is recorded.
    /// </summary>
    public bool Away { get; init; }

    /// <summary>
    /// Language of the user's prompts (Exchange UMMailbox Language): the default greeting callers hear and subscriber
    /// access after logon. Null = the dial plan's DefaultLanguage.
    /// </summary>
    public string? Language { get; init; }
}
