using LlmGateway.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace LlmGateway.Tests.Resilience;

/// <summary>Which first-byte timeouts an answer excuses: one each, given after the attempt began, in any order of firing.</summary>
public sealed class DestinationBreakersTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_answer_excuses_one_timeout_of_an_attempt_that_began_before_it()
    {
        var breakers = new DestinationBreakers(_time);
        breakers.Succeeded("c", "d");
        _time.Advance(TimeSpan.FromSeconds(1));
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));
        breakers.Succeeded("c", "d");

        Assert.True(breakers.TryExcuse("c", "d", started));
        Assert.False(breakers.TryExcuse("c", "d", started));
    }

    [Fact]
    public void A_later_attempt_timing_out_first_leaves_the_earlier_answer_to_the_earlier_attempt()
    {
        // Timeouts are per model: attempt L (long timeout) began before S (short), and S fires first. A single
        // watermark spent the answer between them and left L none.
        var breakers = new DestinationBreakers(_time);
        var longStarted = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(50));
        breakers.Succeeded("c", "d");
        _time.Advance(TimeSpan.FromSeconds(50));
        var shortStarted = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(5));
        breakers.Succeeded("c", "d");

        Assert.True(breakers.TryExcuse("c", "d", shortStarted));
        Assert.True(breakers.TryExcuse("c", "d", longStarted));
        Assert.False(breakers.TryExcuse("c", "d", longStarted));
    }

    [Fact]
    public void A_refusal_below_the_provider_resets_failures_but_excuses_nothing()
    {
        var breakers = new DestinationBreakers(_time);
        var started = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));
        breakers.Succeeded("c", "d", answered: false);

        Assert.False(breakers.TryExcuse("c", "d", started));
    }
}
