using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;

// work-item-sources TRACE.nettrace [CALLS] [DEPTH]
// Groups the trace's ThreadPoolEnqueueWork events (FrameworkEventSource, keywords ThreadPool|ThreadTransfer) by the
// stack that queued them: the first DEPTH frames (default 7) below the event source and the thread pool's own enqueue
// frames. Prints each group's count, and per call when CALLS (the calls completed during the trace) is given.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: work-item-sources TRACE.nettrace [CALLS] [DEPTH]");
    return 2;
}
double calls = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0;
int depth = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;

using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var groups = new Dictionary<string, int>(StringComparer.Ordinal);
int total = 0;
foreach (var ev in log.Events)
{
    if (ev.EventName != "ThreadPoolEnqueueWork") continue;
    total++;
    var frames = new List<string>(depth);
    for (var frame = ev.CallStack(); frame is not null && frames.Count < depth; frame = frame.Caller)
    {
        string name = frame.CodeAddress.FullMethodName;
        // The event's own frames and the runtime's context switches say nothing about who queued the item.
        if (name.StartsWith("System.Diagnostics.Tracing.", StringComparison.Ordinal) || name.Contains("ExecutionContext.Run", StringComparison.Ordinal))
            continue;
        int paren = name.IndexOf('(', StringComparison.Ordinal);
        frames.Add(string.IsNullOrEmpty(name) ? "?" : paren > 0 ? name[..paren] : name);
    }
    string key = string.Join("\n      ", frames);
    groups[key] = groups.GetValueOrDefault(key) + 1;
}

string PerCall(int n) => calls > 0 ? (n / calls).ToString("F2", CultureInfo.InvariantCulture) + " per call" : "";
Console.WriteLine($"work items queued: {total} {PerCall(total)}");
foreach (var (stack, count) in groups.OrderByDescending(g => g.Value))
    Console.WriteLine($"\n{count,8} {PerCall(count)}\n      {stack}");
return 0;
