namespace OpenUM.Media.Srtp;

/// <summary>What one <see cref="SrtpContext"/> uses: the master key and the replay window size (64..32768 packets).</summary>
public sealed record SrtpPolicy(SrtpMasterKey Key, int ReplayWindow = 128)
{
    /// <summary>Smallest replay window accepted (RFC 3711 §3.3.2 asks for at least 64).</summary>
    public const int MinReplayWindow = 64;

    /// <summary>Largest replay window accepted.</summary>
    public const int MaxReplayWindow = 32768;

    /// <summary>The master key.</summary>
    public SrtpMasterKey Key { get; init; } = Key ?? throw new ArgumentNullException(nameof(Key));

    /// <summary>Replay window in packets, validated to 64..32768.</summary>
    public int ReplayWindow
    {
        get;
        init => field = ValidWindow(value);
    } = ValidWindow(ReplayWindow); // an initializer sets the field directly, so it validates too

    private static int ValidWindow(int value) => value is >= MinReplayWindow and <= MaxReplayWindow
        ? value
        : throw new ArgumentOutOfRangeException(nameof(ReplayWindow), value, "Replay window must be 64..32768 packets.");
}

/// <summary>Outcome of one protect/unprotect call; anything but <see cref="Ok"/> means drop the packet.</summary>
public enum SrtpStatus
{
    /// <summary>Done.</summary>
    Ok,
    /// <summary>Too short, not RTP/RTCP version 2, lengths pointing past the end, bad padding, or no room for the trailer.</summary>
    Malformed,
    /// <summary>The tag did not verify (tampered, wrong key, or wrong ROC guess).</summary>
    AuthenticationFailed,
    /// <summary>This index was already accepted.</summary>
    ReplayDuplicate,
    /// <summary>The index is older than the replay window.</summary>
    ReplayTooOld,
    /// <summary>The MKI on the wire is not the one of our key.</summary>
    UnknownMki,
    /// <summary>The key lifetime is used up (or the index space ran out); re-key.</summary>
    KeyExhausted,
    /// <summary>A new SSRC appeared but the context already tracks <see cref="SrtpContext.MaxSsrcs"/> of them.</summary>
    TooManySsrcs,
}
