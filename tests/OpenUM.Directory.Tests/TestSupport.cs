namespace OpenUM.Directory.Tests;

/// <summary>A store in a fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "openum-dir-tests-" + Guid.NewGuid().ToString("N"));
        FilePath = Path.Combine(Directory, "sub", "config.db");
        Store = new SqliteConfigurationStore(FilePath);
    }

    public string Directory { get; }

    public string FilePath { get; }

    public SqliteConfigurationStore Store { get; }

    public SqliteConfigurationStore OpenAnother() => new(FilePath);

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Valid sample objects to derive test cases from.</summary>
internal static class Samples
{
    public static DialPlan DialPlan(string name = "Main", int digits = 4) => new() { Name = name, NumberOfDigitsInExtension = digits };

    public static IpGateway Gateway(string name = "pbx", string address = "pbx.example.com") => new() { Name = name, Address = address };

    public static HuntGroup HuntGroup(string name = "hg", string gateway = "pbx", string dialPlan = "Main", string? pilot = null) =>
        new() { Name = name, IpGateway = gateway, DialPlan = dialPlan, PilotIdentifier = pilot };

    public static Mailbox Mailbox(string extension = "1234", string email = "alice@example.com", string dialPlan = "Main") =>
        new() { Extension = extension, EmailAddress = email, DialPlan = dialPlan, DisplayName = "Alice" };

    public static UmServer Server(string name = "um1") => new() { Name = name };

    /// <summary>Main (4 digits), pbx (FQDN) linked by hg, ipgw (IP) linked by hg-ip, one mailbox 1234, one server.</summary>
    public static void Seed(IConfigurationStore store)
    {
        store.AddDialPlan(DialPlan());
        store.AddIpGateway(Gateway());
        store.AddIpGateway(Gateway("ipgw", "192.0.2.10"));
        store.AddHuntGroup(HuntGroup());
        store.AddHuntGroup(HuntGroup("hg-ip", "ipgw"));
        store.AddMailbox(Mailbox());
        store.AddUmServer(Server());
    }
}
