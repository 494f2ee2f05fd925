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

    /// <summary>Name of the dial plan.</summary>
    public required string DialPlan { get; init; }

    /// <summary>Name of the mailbox policy (of the same dial plan); null = the default policy (<see cref="Directory.MailboxPolicy.DefaultFor"/>).</summary>
    public string? MailboxPolicy { get; init; }

    /// <summary>Greeting WAV, relative to the data directory.</summary>
    public string? GreetingFile { get; init; }
}
