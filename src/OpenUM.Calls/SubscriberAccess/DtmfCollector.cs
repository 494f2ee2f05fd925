using System.Text;
using OpenUM.Sip;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>How a DTMF read ended.</summary>
public enum DtmfEnd
{
    /// <summary>The terminator key ('#') was pressed; it is not part of the digits.</summary>
    Terminator,
    /// <summary>The maximum number of digits was reached.</summary>
    MaxDigits,
    /// <summary>No key within the first-digit or inter-digit timeout.</summary>
    Timeout,
}

/// <summary>The keys one read collected (possibly none) and why it ended.</summary>
public readonly record struct DtmfInput(string Digits, DtmfEnd End);

/// <summary>One read: up to <paramref name="MaxDigits"/> keys, ended early by <paramref name="Terminator"/> (none = '\0').</summary>
public readonly record struct DtmfRequest(int MaxDigits, char Terminator, TimeSpan FirstDigitTimeout, TimeSpan InterDigitTimeout)
{
    /// <summary>A single menu key.</summary>
    public static DtmfRequest Key(TimeSpan timeout) => new(1, '\0', timeout, timeout);
}

/// <summary>
/// Collects a call's key presses (RFC 4733 events or SIP INFO) into reads with first-digit and inter-digit
/// timeouts. Keys pressed while no read is waiting are kept (type-ahead), so a caller who knows the
/// menus need not wait for the prompts. Timeouts run on the shared <see cref="TimerWheel"/>, not on a
/// timer per key; the digits are never logged (they carry PINs).
/// </summary>
public sealed class DtmfCollector
{
    private const int MaxTypeAhead = 64; // a stuck key or a flood cannot grow the buffer without bound
    private readonly TimerWheel _timers;
    private readonly Lock _gate = new();
    private readonly Queue<char> _typeAhead = new();
    private Read? _read;

    /// <summary>Creates a collector whose timeouts run on <paramref name="timers"/>.</summary>
    public DtmfCollector(TimerWheel timers)
    {
        ArgumentNullException.ThrowIfNull(timers);
        _timers = timers;
    }

    /// <summary>Raised after every key (on the thread that delivered it), e.g. to stop a prompt (barge-in).</summary>
    public event Action? KeyPressed;

    /// <summary>Keys waiting for the next read.</summary>
    public int Buffered
    {
        get { lock (_gate) return _typeAhead.Count; }
    }

    /// <summary>Feeds one key; anything but 0-9, *, #, A-D is ignored.</summary>
    public void OnDigit(char digit)
    {
        if (!IsKey(digit)) return;
        Read? done = null;
        lock (_gate)
        {
            if (_read is { } read)
            {
                if (read.Offer(digit)) { done = read; _read = null; }
                else Reschedule(read, read.Request.InterDigitTimeout);
            }
            else if (_typeAhead.Count < MaxTypeAhead)
            {
                _typeAhead.Enqueue(digit);
            }
        }
        done?.Finish();
        KeyPressed?.Invoke();
    }

    /// <summary>Forgets the keys typed ahead (after an error prompt, so stale keys do not answer the next question).</summary>
    public void Clear()
    {
        lock (_gate) _typeAhead.Clear();
    }

    /// <summary>Reads keys as <paramref name="request"/> says; cancelled with the call.</summary>
    public Task<DtmfInput> ReadAsync(DtmfRequest request, CancellationToken ct)
    {
        if (request.MaxDigits < 1) throw new ArgumentOutOfRangeException(nameof(request), "MaxDigits must be at least 1.");
        ct.ThrowIfCancellationRequested();
        var read = new Read(request);
        lock (_gate)
        {
            if (_read is not null) throw new InvalidOperationException("Only one DTMF read at a time.");
            while (_typeAhead.TryDequeue(out char c))
            {
                if (read.Offer(c)) return Task.FromResult(read.Result);
            }
            _read = read;
            Reschedule(read, read.Count == 0 ? request.FirstDigitTimeout : request.InterDigitTimeout);
        }
        read.Registration = ct.Register(static s =>
        {
            var (self, r, token) = ((DtmfCollector, Read, CancellationToken))s!;
            self.Abandon(r);
            r.Completion.TrySetCanceled(token);
        }, (this, read, ct));
        // A key may have completed the read before the registration existed: release it now then.
        if (read.Completion.Task.IsCompleted) read.Registration.Dispose();
        return read.Completion.Task;
    }

    private void Reschedule(Read read, TimeSpan timeout)
    {
        read.Timer?.Cancel();
        read.Timer = _timers.Schedule(timeout, static s =>
        {
            var (self, r) = ((DtmfCollector, Read))s!;
            lock (self._gate)
            {
                if (!ReferenceEquals(self._read, r)) return;
                self._read = null;
                r.End = DtmfEnd.Timeout;
            }
            r.Finish();
        }, (this, read));
    }

    private void Abandon(Read read)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_read, read)) _read = null;
        }
        read.Timer?.Cancel();
    }

    private static bool IsKey(char c) => c is >= '0' and <= '9' or '*' or '#' or >= 'A' and <= 'D';

    private sealed class Read(DtmfRequest request)
    {
        private readonly StringBuilder _digits = new(Math.Min(request.MaxDigits, 32));
        public DtmfRequest Request { get; } = request;
        public TimerWheelEntry? Timer { get; set; }
        public CancellationTokenRegistration Registration { get; set; }
        public DtmfEnd End { get; set; }
        public int Count => _digits.Length;
        public TaskCompletionSource<DtmfInput> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public DtmfInput Result => new(_digits.ToString(), End);

        /// <summary>Adds a key; true when the read is complete.</summary>
        public bool Offer(char c)
        {
            if (Request.Terminator != '\0' && c == Request.Terminator)
            {
                End = DtmfEnd.Terminator;
                return true;
            }
            _digits.Append(c);
            if (_digits.Length < Request.MaxDigits) return false;
            End = DtmfEnd.MaxDigits;
            return true;
        }

        public void Finish()
        {
            Timer?.Cancel();
            Registration.Dispose();
            Completion.TrySetResult(Result);
        }
    }
}
