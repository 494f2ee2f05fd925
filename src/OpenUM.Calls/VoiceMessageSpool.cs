using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Delivery;

namespace OpenUM.Calls;

/// <summary>
/// The durable hand-off between a call and delivery: a recording and its description (a JSON file
/// beside the WAV, fsync'd and renamed into place) stay in the spool until delivery succeeded, so a
/// delivery failure or a crash loses no message; pending ones are retried.
/// </summary>
public sealed class VoiceMessageSpool
{
    private readonly string _directory;
    private readonly IVoiceMessageSink _sink;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _retry = new(1, 1);

    /// <summary>Uses <paramref name="directory"/> (created owner-only) as the spool.</summary>
    public VoiceMessageSpool(string directory, IVoiceMessageSink sink, ILogger logger)
    {
        (_directory, _sink, _logger) = (directory, sink, logger);
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Where a new recording named <paramref name="id"/> is written.</summary>
    public string RecordingPath(string id) => Path.Combine(_directory, id + ".wav");

    /// <summary>Records the message as pending, then delivers it; on failure it stays pending for <see cref="RetryPendingAsync"/>.</summary>
    public async Task SubmitAsync(string id, VoiceMessage message, CancellationToken ct)
    {
        string metadata = Path.Combine(_directory, id + ".json");
        _inFlight[id] = 0;
        try
        {
            string temp = metadata + ".tmp";
            await using (var file = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create, Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                await JsonSerializer.SerializeAsync(file, message, cancellationToken: ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, metadata, overwrite: true);
            await DeliverAsync(id, message, ct).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(id, out _);
        }
    }

    /// <summary>Delivers every pending message not being delivered right now (at start, and periodically).</summary>
    public async Task RetryPendingAsync(CancellationToken ct)
    {
        if (!await _retry.WaitAsync(0, ct).ConfigureAwait(false)) return;
        try
        {
            foreach (string metadata in System.IO.Directory.EnumerateFiles(_directory, "*.json"))
            {
                string id = Path.GetFileNameWithoutExtension(metadata);
                if (!_inFlight.TryAdd(id, 0)) continue;
                try
                {
                    VoiceMessage? message;
                    try
                    {
                        await using var file = File.OpenRead(metadata);
                        message = await JsonSerializer.DeserializeAsync<VoiceMessage>(file, cancellationToken: ct).ConfigureAwait(false);
                    }
                    catch (JsonException e)
                    {
                        CallEvents.VoiceMessageDeliveryFailed(_logger, "?", id, metadata, "unreadable spool entry: " + e.Message);
                        continue;
                    }
                    if (message is not null) await DeliverAsync(id, message, ct).ConfigureAwait(false);
                }
                finally
                {
                    _inFlight.TryRemove(id, out _);
                }
            }
        }
        finally
        {
            _retry.Release();
        }
    }

    /// <summary>Messages waiting for delivery.</summary>
    public int PendingCount => System.IO.Directory.EnumerateFiles(_directory, "*.json").Count();

    private async Task DeliverAsync(string id, VoiceMessage message, CancellationToken ct)
    {
        try
        {
            string path = await _sink.DeliverAsync(message, ct).ConfigureAwait(false);
            // Delivered: the message is the recipient's now. A crash before the metadata is gone means one
            // more delivery of the same message (same Message-ID) at restart; deleting the metadata before
            // the WAV means a crash between the two leaves only a stray WAV.
            File.Delete(Path.Combine(_directory, id + ".json"));
            File.Delete(message.AudioPath);
            CallEvents.VoiceMessageDelivered(_logger, message.CalledExtension, message.CallerId, message.Duration.TotalSeconds, path, message.CallId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            CallEvents.VoiceMessageDeliveryFailed(_logger, message.CalledExtension, message.CallId, message.AudioPath, e.Message);
        }
    }
}
