using System.Globalization;
using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>How a comparison is run, whatever its phases.</summary>
/// <param name="Rounds">Measured windows per system per phase, interleaved: round 1 visits every system, then round 2...</param>
/// <param name="WarmupRequests">
/// The warm-up per system also lasts until this many requests were sent (0: time only), within
/// <see cref="MaxWarmupSeconds"/>: at a low rate, seconds alone may not give the JIT enough calls to tier up.
/// </param>
/// <param name="JitSettleMethodsPerSecond">
/// The warm-up also lasts, two seconds of load at a time, until the system's JIT compiled fewer methods per second
/// than this (0: off) in <see cref="QuietSlicesToSettle"/> slices in a row, and a separate store's JIT thread stayed under
/// <see cref="StoreJitSettleShare"/> of a core in them, within <see cref="MaxWarmupSeconds"/>; so with it on, even
/// <c>--warmup 0</c> runs at least that many slices (1 s while <see cref="WarmupRequests"/> is not reached, 2 s after). Tiered compilation goes on re-compiling hot methods for
/// tens of seconds under load (about 45 s for the gateway with its embedded store on 2 cores, against about 15–20 s for
/// bare YARP); a window measured before it settles charges that compiling to the request.
/// </param>
/// <param name="CooldownSeconds">
/// After each window, before the CPU and allocation counters are read again: the proxy's deferred work for the window's
/// requests (usage and sample writes, a background GC) is counted in it, and the next system starts on a quieter box.
/// </param>
internal sealed record CompareSettings(
    int Rounds,
    long WarmupRequests,
    double JitSettleMethodsPerSecond,
    double CooldownSeconds,
    IReadOnlyList<string> Systems,
    StoreMode StoreMode)
{
    /// <summary>
    /// Upper bound of one system's warm-up when <see cref="WarmupRequests"/> or <see cref="JitSettleMethodsPerSecond"/>
    /// asks for more than the time gave (the slice running when it is reached still finishes).
    /// </summary>
    public const double MaxWarmupSeconds = 600;

    /// <summary>
    /// With <see cref="JitSettleMethodsPerSecond"/> on, a separate store's JIT has settled too once its tiered-compilation
    /// thread uses less than this share of a core over a warm-up slice.
    /// </summary>
    public const double StoreJitSettleShare = 0.01;

    /// <summary>With <see cref="JitSettleMethodsPerSecond"/> on, the JIT has settled after this many quiet warm-up slices in a row.</summary>
    public const int QuietSlicesToSettle = 3;

    /// <summary>What a warm-up waits for beyond its seconds, as the report and the progress lines say it.</summary>
    public string WarmupConditions() =>
        (WarmupRequests > 0 ? string.Create(CultureInfo.InvariantCulture, $" and at least {WarmupRequests:N0} requests") : string.Empty)
        + (JitSettleMethodsPerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $" and until its JIT compiles < {JitSettleMethodsPerSecond:0.##} methods/s (and a separate store's JIT thread uses < {StoreJitSettleShare:P0} of a core), {QuietSlicesToSettle} slices in a row") : string.Empty);
}
