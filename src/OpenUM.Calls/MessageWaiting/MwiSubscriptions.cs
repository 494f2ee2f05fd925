using OpenUM.Delivery.Mailboxes;
using OpenUM.Sip.Dialogs;

namespace OpenUM.Calls.MessageWaiting;

/// <summary>
/// The message-summary subscriptions per mailbox address, with the counts each was last told. A few per mailbox (a
/// phone and its PBX re-subscribing): a new one beyond the cap ends the oldest, so a peer that forgets its
/// subscriptions cannot pile them up.
/// </summary>
internal sealed class MwiSubscriptions(int perMailbox)
{
    private readonly Dictionary<string, List<Entry>> _byAddress = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _sync = new();
    private int _count;

    /// <summary>One subscription made through <paramref name="gateway"/>; <see cref="Notified"/> is null while it is pending (nothing said yet).</summary>
    public sealed class Entry(string address, string gateway, SipSubscription subscription, MessageCounts? notified)
    {
        public string Address { get; } = address;
        public string Gateway { get; } = gateway;
        public SipSubscription Subscription { get; } = subscription;
        public MessageCounts? Notified { get; set; } = notified;
    }

    /// <summary>Subscriptions held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds a subscription; returns the one it displaced (the oldest of a full mailbox), if any.</summary>
    public Entry? Add(Entry entry)
    {
        lock (_sync)
        {
            if (!_byAddress.TryGetValue(entry.Address, out var list)) _byAddress[entry.Address] = list = [];
            list.Add(entry);
            _count++;
            if (list.Count <= perMailbox) return null;
            var oldest = list[0];
            list.RemoveAt(0);
            _count--;
            return oldest;
        }
    }

    /// <summary>Forgets a subscription that ended; idempotent.</summary>
    public void Remove(Entry entry)
    {
        lock (_sync)
        {
            if (!_byAddress.TryGetValue(entry.Address, out var list) || !list.Remove(entry)) return;
            _count--;
            if (list.Count == 0) _byAddress.Remove(entry.Address);
        }
    }

    /// <summary>The subscriptions of this address now (a copy).</summary>
    public Entry[] For(string address)
    {
        lock (_sync) return _byAddress.TryGetValue(address, out var list) ? [.. list] : [];
    }

    /// <summary>Whether this address has any subscription.</summary>
    public bool Has(string address)
    {
        lock (_sync) return _byAddress.ContainsKey(address);
    }

    /// <summary>Every subscription now (a copy).</summary>
    public Entry[] All()
    {
        lock (_sync) return [.. _byAddress.Values.SelectMany(l => l)];
    }

    /// <summary>The addresses with subscriptions now (a copy).</summary>
    public string[] Addresses()
    {
        lock (_sync) return [.. _byAddress.Keys];
    }
}
