using OpenUM.Media;

namespace OpenUM.Calls.SubscriberAccess;

// Self-service by phone on a real call: recordings come from the call's media, changes go to the configuration store.
internal sealed partial class SubscriberAccessCall
{
    /// <inheritdoc />
    public Task<RecordingResult> RecordAsync(string wavPath, RecordingLimits limits, CancellationToken ct) =>
        _media.RecordAsync(wavPath, limits, ct);

    private PhoneSelfService? SelfService() =>
        _subscriber.Store is { } store ? new PhoneSelfService(_subscriber.Pins, store, _s.Options.DataDirectory) : null;
}
