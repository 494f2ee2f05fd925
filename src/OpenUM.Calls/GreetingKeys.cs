using OpenUM.Calls.SubscriberAccess;

namespace OpenUM.Calls;

/// <summary>What a key pressed during a mailbox's greeting asks for (Exchange's call answering keys).</summary>
public enum GreetingAction
{
    /// <summary>No key with a meaning: the greeting played to its end.</summary>
    None,
    /// <summary>0: transfer to the operator.</summary>
    Operator,
    /// <summary>*: log on to the called mailbox (its owner calling their own number).</summary>
    Logon,
    /// <summary>#: skip the rest of the greeting, straight to the tone.</summary>
    Skip,
}

/// <summary>
/// The keys of a call while the mailbox's greeting plays. 0, * and # stop the greeting at once (barge-in) and say what
/// comes next; other keys are ignored and the greeting goes on. Keys come from RFC 4733 events and SIP INFO alike
/// (<see cref="OnDigit"/>). Only the first key with a meaning counts, and only during the greeting: after it the
/// recording's own '#' is the recorder's. After '*' the keys that follow (the PIN, typed ahead) go to
/// <see cref="LogonKeys"/> for the subscriber session. Kept apart from <see cref="VoicemailCall"/> so other detectors
/// of the greeting phase (fax tones) sit beside it. Digits are never logged.
/// </summary>
public sealed class GreetingKeys
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<GreetingAction> _action = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _listening = true;
    private bool _forward;

    /// <summary>
    /// Keys for a call whose '*' leads to subscriber logon through <paramref name="logonKeys"/>. Null: the server has no
    /// subscriber access services (PIN checks and the outdialing engine), so only '#' has a meaning.
    /// </summary>
    public GreetingKeys(DtmfCollector? logonKeys) => LogonKeys = logonKeys;

    /// <summary>Where the keys after '*' go (type-ahead is kept there); null when neither '*' nor '0' has a meaning.</summary>
    public DtmfCollector? LogonKeys { get; }

    /// <summary>The meaning of <paramref name="key"/> during the greeting; 0 and * need the subscriber access services.</summary>
    public static GreetingAction Meaning(char key, bool subscriberServices) => key switch
    {
        '0' when subscriberServices => GreetingAction.Operator,
        '*' when subscriberServices => GreetingAction.Logon,
        '#' => GreetingAction.Skip,
        _ => GreetingAction.None,
    };

    /// <summary>Feeds one key (on the thread that received it).</summary>
    public void OnDigit(char key)
    {
        lock (_gate)
        {
            if (_listening)
            {
                var action = Meaning(char.ToUpperInvariant(key), LogonKeys is not null);
                if (action == GreetingAction.None) return;
                _listening = false;
                _forward = action == GreetingAction.Logon;
                _action.TrySetResult(action);
                return;
            }
            if (!_forward) return;
        }
        LogonKeys!.OnDigit(key);
    }

    /// <summary>
    /// Plays the greeting (<paramref name="greeting"/>, cancelled on barge-in) until it ends or a key with a meaning is
    /// pressed; returns that key's action, or None. A hang-up (<paramref name="ct"/>) cancels as usual.
    /// </summary>
    public async Task<GreetingAction> PlayAsync(Func<CancellationToken, Task> greeting, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(greeting);
        using (var bargeIn = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var playing = greeting(bargeIn.Token);
            if (await Task.WhenAny(playing, _action.Task).ConfigureAwait(false) != playing)
            {
                await bargeIn.CancelAsync().ConfigureAwait(false);
                try { await playing.ConfigureAwait(false); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }
            else
            {
                await playing.ConfigureAwait(false);
            }
        }
        lock (_gate)
        {
            // A key at the very end of the greeting still counts; none after it does.
            _listening = false;
            return _action.Task.IsCompleted ? _action.Task.Result : GreetingAction.None;
        }
    }
}
