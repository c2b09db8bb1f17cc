using LlmGateway.Proxy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmGateway.Tests.Proxy;

public sealed class KeyConcurrencyLimiterTests
{
    private static KeyConcurrencyLimiter Limiter(int max, TimeProvider? time = null) => new(Options.Create(new ProxyOptions { MaxConcurrentRequestsPerKey = max }), time ?? TimeProvider.System);

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
    public void A_place_released_later_stays_taken_until_its_delay_has_passed_and_disposing_meanwhile_gives_nothing_back()
    {
        // The forward stage defers the release of a request whose provider may still be generating; admission then
        // disposes the slot as it unwinds, which must not give the place back early.
        var clock = new FakeTimeProvider();
        var limiter = Limiter(1, clock);
        var held = limiter.Enter("key");

        held.ReleaseAfter(TimeSpan.FromSeconds(30));
        held.Dispose();
        clock.Advance(TimeSpan.FromSeconds(29));
        using var early = limiter.Enter("key");

        clock.Advance(TimeSpan.FromSeconds(1));
        using var onTime = limiter.Enter("key");
        using var beyond = limiter.Enter("key");
        held.Dispose();
        held.ReleaseAfter(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        using var stillOne = limiter.Enter("key");

        Assert.False(early.Acquired);
        Assert.True(onTime.Acquired);
        Assert.False(beyond.Acquired);
        // Given back once: the place onTime holds is not freed by the old slot again.
        Assert.False(stillOne.Acquired);
    }

    [Fact]
    public void A_release_with_no_delay_left_gives_the_place_back_at_once()
    {
        var limiter = Limiter(1, new FakeTimeProvider());
        var held = limiter.Enter("key");

        held.ReleaseAfter(TimeSpan.Zero);
        using var next = limiter.Enter("key");

        Assert.True(next.Acquired);
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
