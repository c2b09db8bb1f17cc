using LlmGateway.Audit;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>The per-address window: bounded in keys, with a shared overflow window a caller may choose not to answer to.</summary>
public sealed class KeyedWindowLimiterTests
{
    [Fact]
    public void A_full_table_shares_one_overflow_window_which_only_refuses_addresses_when_asked_to()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var limiter = new KeyedWindowLimiter(clock, TimeSpan.FromMinutes(1), limit: 2, maxKeys: 2);
        limiter.Hit("a");
        limiter.Hit("b");

        // Sprayed addresses past the table are counted on the overflow window, which they exhaust together.
        limiter.Hit("c");
        limiter.Hit("d");

        Assert.True(limiter.IsExhausted("e", out _));
        Assert.False(limiter.IsExhausted("e", out _, overflowShares: false));
        Assert.False(limiter.IsExhausted("a", out _, overflowShares: false));
        limiter.Hit("a");
        Assert.True(limiter.IsExhausted("a", out var retryAfter, overflowShares: false));
        Assert.InRange(retryAfter.TotalSeconds, 1, 60);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(limiter.IsExhausted("a", out _, overflowShares: false));
    }
}
