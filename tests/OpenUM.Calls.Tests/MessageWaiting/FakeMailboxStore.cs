using OpenUM.Delivery.Mailboxes;

namespace OpenUM.Calls.Tests.MessageWaiting;

/// <summary>A message store whose counts a test sets, and its change feed; it can be made unavailable.</summary>
internal sealed class FakeMailboxStore : IVoiceMessageStore, IMailboxChangeFeed
{
    private readonly Dictionary<string, MessageCounts> _counts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _watched = new(StringComparer.OrdinalIgnoreCase);
    private int _countCalls;
    private volatile MessageStoreState _state = MessageStoreState.Available;

    public event Action<string>? MailboxChanged;
    public event Action<MessageStoreState>? StateChanged;

    public MessageStoreState State => _state;

    /// <summary>How often the notifier counted.</summary>
    public int CountCalls => Volatile.Read(ref _countCalls);

    public bool IsWatched(string address)
    {
        lock (_watched) return _watched.Contains(address);
    }

    /// <summary>Sets the counts without telling anyone.</summary>
    public void Set(string address, int fresh, int old)
    {
        lock (_counts) _counts[address] = new MessageCounts(fresh, old);
    }

    /// <summary>Sets the counts and raises the change.</summary>
    public void Change(string address, int fresh, int old)
    {
        Set(address, fresh, old);
        MailboxChanged?.Invoke(address);
    }

    public void Raise(string address) => MailboxChanged?.Invoke(address);

    public void GoDown()
    {
        _state = MessageStoreState.Unavailable;
        StateChanged?.Invoke(MessageStoreState.Unavailable);
    }

    public void ComeBack()
    {
        _state = MessageStoreState.Available;
        StateChanged?.Invoke(MessageStoreState.Available);
    }

    public ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct)
    {
        Interlocked.Increment(ref _countCalls);
        if (_state == MessageStoreState.Unavailable) throw new MessageStoreUnavailableException("the test store is down");
        lock (_counts) return ValueTask.FromResult(_counts.GetValueOrDefault(emailAddress));
    }

    public ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct) => throw new NotSupportedException();

    public void Watch(string emailAddress)
    {
        lock (_watched) _watched.Add(emailAddress);
    }

    public void Unwatch(string emailAddress)
    {
        lock (_watched) _watched.Remove(emailAddress);
    }

    public void DepositHint(string emailAddress) => MailboxChanged?.Invoke(emailAddress);
}
