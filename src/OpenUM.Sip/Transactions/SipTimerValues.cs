namespace OpenUM.Sip.Transactions;

// RFC 3261 §17 timer values, Table 4, derived from T1/T2/T4.
internal sealed record SipTimerValues(TimeSpan T1, TimeSpan T2, TimeSpan T4)
{
    public static SipTimerValues Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    // Timers B, F, H, J (unreliable), L, M: 64*T1.
    public TimeSpan SixtyFourT1 => T1 * 64;

    // Timer D: at least 32 s for unreliable transports, zero for reliable (§17.1.1.2).
    public TimeSpan TimerD(bool reliable) => reliable ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Max(32, SixtyFourT1.TotalSeconds));

    // Timer I (§17.2.1) and Timer K (§17.1.2.2): T4 unreliable, zero reliable.
    public TimeSpan TimerIorK(bool reliable) => reliable ? TimeSpan.Zero : T4;

    // Timer J (§17.2.2): 64*T1 unreliable, zero reliable.
    public TimeSpan TimerJ(bool reliable) => reliable ? TimeSpan.Zero : SixtyFourT1;

    // §17.2.1: a TU that has not answered an INVITE within 200 ms gets a 100 (Trying) sent for it. One wheel
    // resolution (10 ms) early, so a late tick still keeps the promise.
    public static TimeSpan TryingDelay { get; } = TimeSpan.FromMilliseconds(190);

    public TimeSpan Doubled(TimeSpan interval) => interval * 2 < T2 ? interval * 2 : T2;
}
