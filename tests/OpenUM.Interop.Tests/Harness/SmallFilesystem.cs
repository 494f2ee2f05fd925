using System.Globalization;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// A tmpfs of a few megabytes mounted by the test on a temp directory, to put a server's data directory on a disk
/// that fills up, shrinks, grows again or turns read-only while calls run (an operator's bad day). Needs root
/// (the test command runs as root); the mount is private to that directory and removed on dispose.
/// </summary>
public sealed class SmallFilesystem : IAsyncDisposable
{
    private const string Filler = ".filler";

    private SmallFilesystem(string path) => Path = path;

    /// <summary>The mount point (empty at first, mode 0700).</summary>
    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> (and at most <paramref name="inodes"/> files, when given).</summary>
    public static async Task<SmallFilesystem> CreateAsync(long bytes, long? inodes = null)
    {
        string path = System.IO.Directory.CreateTempSubdirectory("openum-smallfs-").FullName;
        string options = Options(bytes, inodes) + ",mode=0700";
        await MountAsync(["-t", "tmpfs", "-o", options, "openum-smallfs", path]);
        return new SmallFilesystem(path);
    }

    /// <summary>Bytes free for an unprivileged writer now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Grows or shrinks the filesystem (files already written stay).</summary>
    public Task ResizeAsync(long bytes, long? inodes = null) => MountAsync(["-o", "remount," + Options(bytes, inodes), Path]);

    /// <summary>Remounts read-only (as after a filesystem error) or read-write again.</summary>
    public Task SetReadOnlyAsync(bool readOnly) => MountAsync(["-o", readOnly ? "remount,ro" : "remount,rw", Path]);

    /// <summary>Writes a filler file until at most <paramref name="leaveFree"/> bytes are free.</summary>
    public async Task FillAsync(long leaveFree = 0)
    {
        var buffer = new byte[64 * 1024];
        await using var filler = new FileStream(System.IO.Path.Combine(Path, Filler), FileMode.Append, FileAccess.Write);
        try
        {
            while (FreeBytes > leaveFree)
            {
                long chunk = Math.Min(buffer.Length, Math.Max(1, FreeBytes - leaveFree));
                await filler.WriteAsync(buffer.AsMemory(0, (int)chunk));
                await filler.FlushAsync();
            }
        }
        catch (IOException)
        {
            // Full: that was the point.
        }
    }

    /// <summary>Deletes the filler written by <see cref="FillAsync"/>.</summary>
    public void Unfill() => File.Delete(System.IO.Path.Combine(Path, Filler));

    /// <summary>Unmounts (lazily, should a process still hold a file there) and removes the mount point.</summary>
    public async ValueTask DisposeAsync()
    {
        var result = await ChildProcess.RunAsync(Peers.Require("umount", "mount"), ["-l", Path], TimeSpan.FromSeconds(30));
        if (result.ExitCode == 0)
            try { System.IO.Directory.Delete(Path, recursive: true); } catch (IOException) { }
        else
            Console.Error.WriteLine("could not unmount " + Path + "\n" + result.Describe());
    }

    private static string Options(long bytes, long? inodes) =>
        string.Create(CultureInfo.InvariantCulture, $"size={bytes}") + (inodes is { } n ? string.Create(CultureInfo.InvariantCulture, $",nr_inodes={n}") : "");

    private static async Task MountAsync(string[] args)
    {
        var result = await ChildProcess.RunAsync(Peers.Require("mount", "mount"), args, TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
            throw new InvalidOperationException("mount " + string.Join(' ', args) + " failed (the test needs root)\n" + result.Describe());
    }
}
