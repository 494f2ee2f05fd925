using System.Globalization;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// A network namespace of the test's own with nothing but loopback (up): every address outside 127/8 is
/// unreachable in it, so a test whose SDP names a documentation address (a gateway behind NAT) sends nothing off
/// the machine - the server's packets to it fail at once (ENETUNREACH) instead of leaving by the default route.
/// Serve and its peers run inside through `ip netns exec`; the test reaches them through files and the CLI only.
/// Needs root and iproute2 (the test command installs it). Dispose deletes the namespace.
/// </summary>
public sealed class PrivateNetwork : IAsyncDisposable
{
    private static int _count;

    private PrivateNetwork(string name) => Name = name;

    /// <summary>The namespace's name (<c>ip netns list</c>).</summary>
    public string Name { get; }

    /// <summary>Creates the namespace and brings its loopback up.</summary>
    public static async Task<PrivateNetwork> CreateAsync()
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"openum-{Environment.ProcessId}-{Interlocked.Increment(ref _count)}");
        await IpAsync("netns", "add", name);
        var network = new PrivateNetwork(name);
        try
        {
            await IpAsync("-n", name, "link", "set", "lo", "up");
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
        return network;
    }

    /// <summary>The command that runs <paramref name="file"/> with <paramref name="args"/> inside the namespace.</summary>
    public (string File, IReadOnlyList<string> Args) Wrap(string file, IEnumerable<string> args) =>
        (Ip, ["netns", "exec", Name, file, .. args]);

    /// <summary>Deletes the namespace (its processes must have ended).</summary>
    public async ValueTask DisposeAsync()
    {
        var result = await ChildProcess.RunAsync(Ip, ["netns", "delete", Name], TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0) Console.Error.WriteLine("could not delete network namespace " + Name + "\n" + result.Describe());
    }

    private static string Ip => Peers.Require("ip", "iproute2");

    private static async Task IpAsync(params string[] args)
    {
        var result = await ChildProcess.RunAsync(Ip, args, TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
            throw new InvalidOperationException("ip " + string.Join(' ', args) + " failed (the test needs root and iproute2)\n" + result.Describe());
    }
}
