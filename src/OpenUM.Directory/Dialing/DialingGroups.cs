namespace OpenUM.Directory.Dialing;

/// <summary>One dial group: the entries sharing a name, in configured order.</summary>
public sealed record DialingGroup(string Name, IReadOnlyList<DialingRuleEntry> Entries);

/// <summary>
/// A list of dialing rule entries seen as groups (entries with the same Name, compared
/// case-insensitively, form one group; the first spelling names it), for lookups by allowed name.
/// </summary>
public sealed class DialingGroups
{
    private readonly Dictionary<string, DialingGroup> _byName;

    /// <summary>Groups the entries; order of first appearance is kept.</summary>
    public DialingGroups(IEnumerable<DialingRuleEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var lists = new Dictionary<string, (string Name, List<DialingRuleEntry> Entries)>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var entry in entries)
        {
            var key = entry.Name ?? "";
            if (!lists.TryGetValue(key, out var group))
            {
                lists[key] = group = (key, []);
                order.Add(key);
            }

            group.Entries.Add(entry);
        }

        Groups = order.Select(k => new DialingGroup(lists[k].Name, lists[k].Entries.AsReadOnly())).ToArray();
        _byName = Groups.ToDictionary(g => g.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The groups in order of first appearance.</summary>
    public IReadOnlyList<DialingGroup> Groups { get; }

    /// <summary>The group with this name (case-insensitive), or null.</summary>
    public DialingGroup? Find(string name) => _byName.GetValueOrDefault(name);
}
