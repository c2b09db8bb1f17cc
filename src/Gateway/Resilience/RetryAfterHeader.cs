using System.Globalization;

namespace LlmGateway.Resilience;

/// <summary>Reads <c>Retry-After</c> in both forms: delta-seconds and HTTP-date.</summary>
internal static class RetryAfterHeader
{
    public static TimeSpan? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, int.MaxValue));
        }

        return DateTimeOffset.TryParseExact(value.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at > now ? at - now : TimeSpan.Zero
            : null;
    }

    /// <summary>Whole seconds for a <c>Retry-After</c> we send: rounded up, at least 1.</summary>
    // Clamped before the cast: a date thousands of years away is past int's range, which a cast would wrap.
    public static string Format(TimeSpan delay) => ((long)Math.Clamp(Math.Ceiling(delay.TotalSeconds), 1, int.MaxValue)).ToString(CultureInfo.InvariantCulture);
}
