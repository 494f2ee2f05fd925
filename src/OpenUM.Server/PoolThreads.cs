namespace OpenUM.Server;

/// <summary>
/// Starts the thread pool's worker threads before the server serves and caps the pool at them, so that no thread
/// has to start while the process may be out of file descriptors.
/// </summary>
/// <remarks>
/// On Linux every thread the .NET runtime starts first waits on a pipe(2) of its own until it is resumed (CoreCLR's
/// PAL, CThreadSuspensionInfo), so when every descriptor is in use no thread can start. .NET 10's thread pool does not
/// catch the OutOfMemoryException that Thread.Start then throws: it leaves whatever queued the work item, and on the
/// runtime's timer thread (a Timer, Task.Delay or PeriodicTimer firing) nobody catches it: the runtime prints
/// "Out of memory." and the process ends. A flood that takes the last descriptors (accept(2) failing with EMFILE)
/// would end the server the moment the pool wanted one more thread: after idle threads retired, or when it grows
/// under load. So the pool gets all its threads now, keeps them (System.Threading.ThreadPool.ThreadsToKeepAlive = -1
/// in openum's runtimeconfig, OpenUM.Cli.csproj) and never grows past them. How many of them run at once is still
/// the pool's own choice (its minimum is left as it was).
/// </remarks>
public static class PoolThreads
{
    private static readonly TimeSpan StartGuard = TimeSpan.FromSeconds(30);

    /// <summary>64, or 8 per processor on a larger machine: far more than the server's asynchronous work keeps busy.</summary>
    public static int DefaultCount => Math.Max(64, 8 * Environment.ProcessorCount);

    /// <summary>Caps the pool at <paramref name="count"/> worker threads and starts them all; returns the pool's thread count.</summary>
    public static int StartAll(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
        ThreadPool.GetMaxThreads(out _, out int maxIo);
        count = Math.Max(count, minWorkers);
        ThreadPool.SetMaxThreads(count, maxIo);
        // With the minimum at the cap the pool starts a thread for each blocked item at once, without its
        // half-second starvation steps; the minimum goes back afterwards.
        ThreadPool.SetMinThreads(count, minIo);
        // Not disposed: after a timed-out wait, late items still signal and wait on them.
        var started = new CountdownEvent(count);
        var release = new ManualResetEventSlim();
        try
        {
            for (int i = 0; i < count; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static s =>
                {
                    var (started, release) = ((CountdownEvent, ManualResetEventSlim))s!;
                    started.Signal();
                    release.Wait();
                }, (started, release));
            }
            started.Wait(StartGuard);
        }
        finally
        {
            release.Set();
            ThreadPool.SetMinThreads(minWorkers, minIo);
        }
        return ThreadPool.ThreadCount;
    }
}
