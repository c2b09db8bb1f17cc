using LlmGateway.Proxy;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Proxy;

public sealed class KeyConcurrencyLimiterTests
{
    private static KeyConcurrencyLimiter Limiter(int max) => new(Options.Create(new ProxyOptions { MaxConcurrentRequestsPerKey = max }));

    [Fact]
    public void A_slot_disposed_twice_gives_its_place_back_once()
    {
        // The forward stage gives the place back before the response ends and admission again as it unwinds:
        // a second give-back must not free a place some other request holds.
        var limiter = Limiter(1);
        var first = limiter.Enter("key");
        first.Dispose();
        first.Dispose();

        using var second = limiter.Enter("key");
        using var third = limiter.Enter("key");

        Assert.True(second.Acquired);
        Assert.False(third.Acquired);
    }

    [Fact]
    public void With_the_limit_off_every_request_gets_a_slot_that_holds_nothing()
    {
        var limiter = Limiter(0);

        using var slot = limiter.Enter("key");

        Assert.True(slot.Acquired);
        Assert.False(slot.HoldsPlace);
    }

    [Fact]
    public void Keys_are_limited_apart()
    {
        var limiter = Limiter(1);

        using var a = limiter.Enter("a");
        using var b = limiter.Enter("b");
        using var again = limiter.Enter("a");

        Assert.True(a.Acquired && a.HoldsPlace);
        Assert.True(b.Acquired);
        Assert.False(again.Acquired);
        Assert.False(again.HoldsPlace);
    }
}
