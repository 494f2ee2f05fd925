namespace OpenUM.Delivery.Spool;

/// <summary>
/// Where the call layer hands voice messages over (DLV-1): a recording is described before its first audio and handed
/// over when it ends, complete or not; from then on its delivery (spool, retries, maildir or SMTP outbox) belongs to
/// OpenUM.Delivery, which never drops it.
/// </summary>
public interface IVoiceMessageSpool
{
    /// <summary>
    /// Records the description of a recording about to start (recipient, caller, called extension, start time) and
    /// says where its audio goes, so a recording whose audio cannot be written still has a description. Never
    /// throws for a storage failure: the description is then kept in memory and written later.
    /// </summary>
    Task<SpooledRecording> BeginAsync(VoiceMessage description);

    /// <summary>
    /// Hands over the recording begun with <see cref="BeginAsync"/> once it has ended and its file is closed: it is
    /// delivered now if it can be, else retried until it is. A recording without audio that is not marked incomplete
    /// (the caller hung up at the beep) is discarded. Never throws for a storage or delivery failure.
    /// </summary>
    Task SubmitAsync(SpooledRecording recording, RecordingOutcome outcome, CancellationToken ct);
}

/// <summary>A recording the spool knows: its id and the WAV file its audio goes to.</summary>
public sealed record SpooledRecording(string Id, string AudioPath);

/// <summary>How a recording ended: the audio it holds and, when it is incomplete, why (<see cref="VoiceMessage.Truncated"/>).</summary>
public sealed record RecordingOutcome(TimeSpan Duration, string? Truncated = null);
