using System.Globalization;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// What the <c>openum serve</c> process sees of its host: names that resolve (a private /etc/hosts in a mount
/// namespace of its own: the machine's file is never touched) and a descriptor limit (<c>ulimit -n</c>).
/// Gateways are named by FQDN on secured dial plans and the server resolves them to admit their addresses, so
/// a test that wants that behaviour gives the names here; nothing else on the machine resolves them.
/// </summary>
/// <param name="Hosts">Host name to address, e.g. gw1.example.test → 127.0.0.10.</param>
/// <param name="OpenFiles">RLIMIT_NOFILE (soft and hard) for the server, or null for the test's own.</param>
public sealed record ServeEnvironment(IReadOnlyDictionary<string, string>? Hosts = null, int? OpenFiles = null)
{
    /// <summary>The command to start instead of <paramref name="command"/> (whose first element is the program).</summary>
    public (string File, IReadOnlyList<string> Args) Wrap(IReadOnlyList<string> command, string workDir)
    {
        if (Hosts is null && OpenFiles is null) return (command[0], command.Skip(1).ToList());
        string limit = OpenFiles is { } n ? $"ulimit -n {n.ToString(CultureInfo.InvariantCulture)} && " : "";
        if (Hosts is null)
            return ("/bin/sh", ["-c", limit + "exec \"$@\"", "openum-serve", .. command]);
        // Mount namespaces need root (the test command runs as root); unshare execs in place, so the pid is serve's.
        string hosts = Path.Combine(workDir, "hosts");
        File.WriteAllText(hosts, File.ReadAllText("/etc/hosts") + "\n" +
            string.Concat(Hosts.Select(h => $"{h.Value} {h.Key}\n")));
        return (Peers.Require("unshare", "util-linux"),
            ["-m", "--propagation", "private", "/bin/sh", "-c", $"mount --bind \"$1\" /etc/hosts && shift && {limit}exec \"$@\"",
             "openum-serve", hosts, .. command]);
    }
}
