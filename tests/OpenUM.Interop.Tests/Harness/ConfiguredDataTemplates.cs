namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// The set-ups many tests share (the standard configuration, the secured one), made once per test run by the real
/// CLI in a template data directory and then copied file by file into each test's fresh data directory. Each
/// <c>openum</c> command is a process start of about a second; the copy leaves exactly the files the same commands
/// would have left (store, events.jsonl, imported certificates and keys, with their modes), so every test still
/// starts from what the CLI wrote, and the CLI commands themselves still run, with their exit codes checked, once
/// per run. Used only for an empty data directory of its own (not a link to a small filesystem, not one that
/// already holds a store setting): anything else is configured by running the commands as before.
/// </summary>
public static class ConfiguredDataTemplates
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Made = [];
    private static readonly Lazy<string> Root = new(() =>
    {
        string dir = System.IO.Directory.CreateTempSubdirectory("openum-templates-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return dir;
    });

    /// <summary>
    /// Leaves in <paramref name="um"/>'s data directory what <paramref name="configure"/> leaves in a fresh one:
    /// copied from the template named <paramref name="key"/> (made by running <paramref name="configure"/> on its
    /// first use), or by running <paramref name="configure"/> on <paramref name="um"/> itself when its data directory
    /// is not a fresh, empty one.
    /// </summary>
    public static async Task ApplyAsync(string key, OpenUmProcess um, Func<OpenUmProcess, Task> configure, ITestOutputHelper? log)
    {
        if (!IsFresh(um.DataDir) || Environment.GetEnvironmentVariable("OPENUM_INTEROP_NO_TEMPLATES") == "1")
        {
            await configure(um);
            return;
        }
        string template;
        await Gate.WaitAsync();
        try
        {
            if (!Made.TryGetValue(key, out template!))
            {
                template = Path.Combine(Root.Value, "t" + Made.Count);
                await using (var maker = new OpenUmProcess(log))
                {
                    await configure(maker);
                    CopyTree(maker.DataDir, template);
                }
                Made[key] = template;
            }
        }
        finally
        {
            Gate.Release();
        }
        CopyTree(template, um.DataDir);
        log?.WriteLine($"data directory {um.DataDir}: the '{key}' configuration, as the CLI made it in {template}");
    }

    // Empty, and a directory of its own (a link is a small filesystem some storage test put there).
    private static bool IsFresh(string dir)
    {
        var info = new DirectoryInfo(dir);
        return info.Exists && info.LinkTarget is null && !info.EnumerateFileSystemInfos().Any();
    }

    // Files and directories with their permission bits (the server keeps keys 0600 and may check).
    private static void CopyTree(string from, string to)
    {
        var source = new DirectoryInfo(from);
        System.IO.Directory.CreateDirectory(to);
        File.SetUnixFileMode(to, source.UnixFileMode);
        foreach (var entry in source.EnumerateFileSystemInfos())
        {
            string target = Path.Combine(to, entry.Name);
            if (entry is DirectoryInfo)
                CopyTree(entry.FullName, target);
            else
            {
                File.Copy(entry.FullName, target, overwrite: false);
                File.SetUnixFileMode(target, entry.UnixFileMode);
            }
        }
    }
}
