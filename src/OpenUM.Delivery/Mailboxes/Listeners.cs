namespace OpenUM.Delivery.Mailboxes;

/// <summary>How delivery and the stores tell listeners (message-waiting indication) of a change.</summary>
internal static class Listeners
{
    /// <summary>
    /// Calls every handler; one that throws is skipped, so a listener's fault never fails the deposit, the mark or the
    /// delete that reported the change (the message is already where it belongs) nor hides it from other listeners.
    /// </summary>
    public static void Raise<T>(Action<T>? handlers, T value)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<T>>())
        {
            try
            {
                handler(value);
            }
            catch (Exception)
            {
                // The listener logs its own failures; a change notice carries no state to lose (the next one recounts).
            }
        }
    }
}
