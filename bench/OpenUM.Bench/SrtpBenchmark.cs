using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime;
using BenchmarkDotNet.Attributes;
using OpenUM.Media;
using OpenUM.Media.Srtp;

namespace OpenUM.Bench;

/// <summary>
/// SRTP protect and unprotect of RTP packets, per suite and packet size, on one thread. Each iteration works on a
/// batch of <see cref="Batch"/> distinct packets with consecutive sequence numbers, prepared in an iteration setup
/// (not timed): plain packets for <see cref="Protect"/>, packets freshly protected by the sending context for
/// <see cref="Unprotect"/>. So every unprotect is a first-time, in-window, authentic packet (a real success, never
/// a replay rejection), and the measured loops hold nothing but the SRTP calls. bench/srtp/libsrtp-bench.c does the
/// same with libsrtp 2.5.0 built on OpenSSL (same sizes, same batch); bench/srtp/side-by-side.sh runs both.
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmark
{
    /// <summary>Packets per iteration; the C harness uses the same batch (its -b default).</summary>
    public const int Batch = 2048;

    private const int RtpHeader = 12;
    private const byte PayloadByte = 0xd5; // PCMU silence

    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private byte[] _buffer = [];
    private int[] _lengths = [];
    private int _slot;
    private ushort _sequence = 1000;
    private uint _timestamp = 4242;

    /// <summary>The crypto suite.</summary>
    [ParamsAllValues]
    public SrtpSuite Suite { get; set; }

    /// <summary>RTP packet length before protection: 12-byte header + 160 bytes PCMU (20 ms), or 1372.</summary>
    [Params(172, 1372)]
    public int Size { get; set; }

    /// <summary>Creates the sending and receiving contexts (same key) and checks that a round trip works.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var info = SrtpSuites.Info(Suite);
        // Fixed, non-secret key material: this is a benchmark, the values only need to be the same on both ends.
        var key = new byte[info.KeyLength];
        var salt = new byte[info.SaltLength];
        for (int i = 0; i < key.Length; i++)
            key[i] = (byte)(i * 7 + 1);
        for (int i = 0; i < salt.Length; i++)
            salt[i] = (byte)(i * 13 + 5);
        _sender = new SrtpContext(new SrtpPolicy(new SrtpMasterKey(Suite, key, salt)));
        _receiver = new SrtpContext(new SrtpPolicy(new SrtpMasterKey(Suite, key, salt)));
        _slot = Size + _sender.RtpOverhead;
        _buffer = new byte[_slot * Batch];
        _lengths = new int[Batch];

        // Validation and warm-up in one: full round trips through both contexts, every status checked, for at least
        // 3 s and then until no method has been compiled for half a second (at most 30 s), so any
        // first-packet-of-an-SSRC work is done and the measured code is at its final tier. Tiered compilation waits
        // for a quiet 100 ms before each step (tier 0, instrumented, tier 1) and compiles in the background: on a
        // loaded machine that took 1-2 s, and a warm-up of 40 rounds measured unoptimized code in some processes (a
        // steady 1.5-1.7x slower benchmark with a tight confidence interval).
        var warm = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount(), settledAt = 0;
        while (warm.ElapsedMilliseconds < 30_000)
        {
            PrepareProtected();
            Unprotect();
            CheckPayload();
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                settledAt = warm.ElapsedMilliseconds;
            }
            if (warm.ElapsedMilliseconds >= 3_000 && warm.ElapsedMilliseconds - settledAt >= 500)
                break;
        }
    }

    /// <summary>Plain packets for <see cref="Protect"/>.</summary>
    [IterationSetup(Target = nameof(Protect))]
    public void PreparePlain() => Fill();

    /// <summary>Freshly protected packets for <see cref="Unprotect"/> (protected here, outside the timing).</summary>
    [IterationSetup(Target = nameof(Unprotect))]
    public void PrepareProtected()
    {
        Fill();
        Protect();
    }

    /// <summary>Checks that <see cref="Unprotect"/> really restored the plaintext.</summary>
    [IterationCleanup(Target = nameof(Unprotect))]
    public void CheckPayload()
    {
        if (_buffer[RtpHeader] != PayloadByte || _buffer[(Batch - 1) * _slot + Size - 1] != PayloadByte)
            throw new InvalidOperationException("unprotected payload differs from the original");
    }

    /// <summary>Protects the batch in place, one <see cref="SrtpContext.ProtectRtp"/> per packet.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Protect()
    {
        var buffer = _buffer;
        var lengths = _lengths;
        int slot = _slot, size = Size, total = 0;
        for (int i = 0; i < Batch; i++)
        {
            var status = _sender.ProtectRtp(buffer.AsSpan(i * slot, slot), size, out int length);
            if (status != SrtpStatus.Ok)
                Fail("ProtectRtp", status, i);
            lengths[i] = length;
            total += length;
        }
        return total;
    }

    /// <summary>Unprotects the freshly protected batch in place; every packet must come back Ok with its length.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Unprotect()
    {
        var buffer = _buffer;
        var lengths = _lengths;
        int slot = _slot, size = Size, total = 0;
        for (int i = 0; i < Batch; i++)
        {
            var status = _receiver.UnprotectRtp(buffer.AsSpan(i * slot, lengths[i]), out int length);
            if (status != SrtpStatus.Ok || length != size)
                Fail("UnprotectRtp", status, i);
            total += length;
        }
        return total;
    }

    /// <summary>Releases the contexts.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    // Plain RTP, V=2, PT 0, consecutive sequence numbers (wrapping: the sender's ROC advances as in a long call).
    private void Fill()
    {
        var buffer = _buffer;
        for (int i = 0; i < Batch; i++)
        {
            var p = buffer.AsSpan(i * _slot, _slot);
            p[0] = 0x80;
            p[1] = 0x00;
            p[2] = (byte)(_sequence >> 8);
            p[3] = (byte)_sequence;
            p[4] = (byte)(_timestamp >> 24);
            p[5] = (byte)(_timestamp >> 16);
            p[6] = (byte)(_timestamp >> 8);
            p[7] = (byte)_timestamp;
            p[8] = 0x12;
            p[9] = 0x34;
            p[10] = 0x56;
            p[11] = 0x78;
            p[RtpHeader..Size].Fill(PayloadByte);
            _sequence++;
            _timestamp += 160;
        }
    }

    [DoesNotReturn]
    private static void Fail(string call, SrtpStatus status, int index) =>
        throw new InvalidOperationException($"{call} returned {status} (or a wrong length) at packet {index} of the batch");
}
