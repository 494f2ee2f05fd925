using SharpFuzz;

namespace OpenUM.Fuzz;

/// <summary>
/// Fuzzing harness: one target per parser a stranger can reach. Under afl-fuzz (fuzz/run.sh) it is the fork
/// server; with --replay it runs saved inputs in-process and reports crashes and hangs without AFL.
/// </summary>
internal static class Program
{
    private static readonly Dictionary<string, FuzzTarget> Targets = new(StringComparer.Ordinal)
    {
        ["sip"] = SipTarget.Run,
        ["sdp"] = SdpTarget.Run,
        ["sdes"] = SdesTarget.Run,
        ["srtp"] = SrtpTarget.Run,
    };

    private const string Usage =
        "usage: OpenUM.Fuzz <target> [--in-process]             fork server for afl-fuzz (run it through fuzz/run.sh)\n" +
        "       OpenUM.Fuzz <target> --replay <file|dir>...     run saved inputs without AFL\n" +
        "       OpenUM.Fuzz srtp --write-seeds <dir>             write the SRTP seed corpus\n" +
        "targets: sip, sdp, sdes, srtp";

    private static int Main(string[] args)
    {
        if (args.Length == 0 || !Targets.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine(Usage);
            return 64;
        }
        var mode = args.Length > 1 ? args[1] : "";
        switch (mode)
        {
            case "--replay" when args.Length > 2:
                return Replay.Run(args[0], target, args[2..]);
            case "--write-seeds" when args.Length == 3 && args[0] == "srtp":
                SrtpSeeds.Write(args[2]);
                return 0;
            case "--in-process" when args.Length == 2:
                // One process for everything: fastest, but a hang or a process-killing fault (stack overflow,
                // guard page) ends the whole campaign instead of being recorded.
                Fuzzer.Run(stream => target(InputBuffer.Read(stream)));
                return 0;
            case "" when args.Length == 1:
                // A parent process talks to afl-fuzz and restarts a child that dies or hangs, so afl-fuzz records
                // hangs and hard crashes and goes on (SharpFuzz's out-of-process fork server).
                Fuzzer.OutOfProcess.Run(stream => target(InputBuffer.Read(stream)));
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 64;
        }
    }
}

/// <summary>One harness: feeds the bytes to production entry points; throws on a defect.</summary>
internal delegate void FuzzTarget(ReadOnlySpan<byte> data);

/// <summary>A harness invariant that production relies on does not hold (the message says which).</summary>
internal sealed class InvariantException(string message) : Exception(message);

/// <summary>Reads the test case into one reused buffer, so executions do not allocate for the input.</summary>
internal static class InputBuffer
{
    private static readonly MemoryStream Buffer = new();

    public static ReadOnlySpan<byte> Read(Stream stream)
    {
        Buffer.SetLength(0);
        stream.CopyTo(Buffer);
        return Buffer.GetBuffer().AsSpan(0, (int)Buffer.Length);
    }
}
