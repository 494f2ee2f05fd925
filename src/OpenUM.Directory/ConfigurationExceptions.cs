namespace OpenUM.Directory;

/// <summary>A configuration change refused by CFG-1 validation; <see cref="Field"/> is the CLI option name.</summary>
public sealed class ConfigurationValidationException(string field, string message) : Exception(message)
{
    /// <summary>Kebab-case name of the offending field, e.g. "number-of-digits-in-extension" (see <see cref="ConfigurationFields"/>).</summary>
    public string Field { get; } = field;
}

/// <summary>An update or removal named an object that does not exist.</summary>
public sealed class ConfigurationObjectNotFoundException(ConfigurationObjectType objectType, string name)
    : KeyNotFoundException($"{ConfigurationChange.Describe(objectType)} '{name}' does not exist")
{
    /// <summary>Kind of object looked for.</summary>
    public ConfigurationObjectType ObjectType { get; } = objectType;

    /// <summary>The key looked for (a mailbox is "dial-plan/extension").</summary>
    public string Name { get; } = name;
}
