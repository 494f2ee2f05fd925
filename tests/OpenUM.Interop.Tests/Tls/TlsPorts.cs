using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>
/// Listening ports for the TLS tests: blocks in 30000-31999 (below the kernel's ephemeral range and apart
/// from the 20000-29999 blocks of <see cref="TestPorts"/>), each checked to be bindable (TCP and UDP).
/// </summary>
public static class TlsPorts
{
    private const int RangeStart = 30000;
    private const int RangeEnd = 32000;
    private const int BlockSize = 20;
    private static readonly Lock Gate = new();
    private static int _next = Environment.ProcessId % ((RangeEnd - RangeStart) / BlockSize);

    /// <summary>A block of <paramref name="size"/> consecutive ports; every port of it is bindable now.</summary>
    public static (int First, int Last) Block(int size)
    {
        int blocks = (size + BlockSize - 1) / BlockSize;
        lock (Gate)
        {
            for (int attempt = 0; attempt < (RangeEnd - RangeStart) / BlockSize; attempt++)
            {
                if (RangeStart + (_next + blocks) * BlockSize > RangeEnd)
                    _next = 0;
                int first = RangeStart + _next * BlockSize;
                _next += blocks;
                bool free = true;
                for (int p = first; p < first + size && free; p++)
                    free = TestPorts.ListenerFree(p);
                if (free)
                    return (first, first + size - 1);
            }
        }
        throw new InvalidOperationException($"no free block of {size} ports in {RangeStart}-{RangeEnd - 1}");
    }

    /// <summary>One free listening port.</summary>
    public static int One() => Block(1).First;
}
