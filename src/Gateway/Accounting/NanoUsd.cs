namespace LlmGateway.Accounting;

/// <summary>Dollars as the whole billionths the store counts in (its counters are integers).</summary>
internal static class NanoUsd
{
    private const decimal PerUsd = 1_000_000_000m;
    private const decimal MaxUsd = long.MaxValue / PerUsd;

    /// <summary>Saturating: no price or token count can make a conversion throw after a request was served.</summary>
    public static long From(decimal usd) => usd >= MaxUsd ? long.MaxValue : usd <= 0 ? 0 : (long)(usd * PerUsd);

    /// <summary>A count of billionths back in dollars.</summary>
    public static decimal ToUsd(long nano) => nano / PerUsd;
}
