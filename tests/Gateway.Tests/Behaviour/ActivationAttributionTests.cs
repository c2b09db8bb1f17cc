using LlmGateway.Behaviour;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Tests.Behaviour;

/// <summary>The choice between the last activation before a change's window and the first one after it.</summary>
public sealed class ActivationAttributionTests
{
    private static readonly DateTimeOffset WindowStart = new(2026, 11, 30, 9, 10, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset WindowEnd = WindowStart.AddMinutes(1);

    [Theory]
    [InlineData(-90, 30, "after")]   // 90 s before the window, 30 s after it: the later one is closer
    [InlineData(-30, 90, "before")]
    [InlineData(-60, 60, "before")]  // as close either side: a cause precedes its effect
    [InlineData(20, 5, "before")]    // inside the window: nothing is closer
    public void The_closer_of_the_two_is_named(int beforeSeconds, int afterSeconds, string expected)
    {
        var before = Event("before", WindowStart.AddSeconds(beforeSeconds));
        var after = Event("after", WindowEnd.AddSeconds(afterSeconds));

        var chosen = ActivationAttribution.Choose(before, after, WindowStart, WindowEnd);

        Assert.Equal(expected, chosen?.Id);
        Assert.Equal(expected == "after" ? afterSeconds : 0, chosen!.SecondsAfter, 3);
        Assert.Equal(expected == "before" ? Math.Max(0, -beforeSeconds) : 0, chosen.SecondsBefore, 3);
    }

    [Fact]
    public void Either_alone_is_named_and_neither_is_none()
    {
        var before = Event("before", WindowStart.AddHours(-3));
        var after = Event("after", WindowEnd.AddSeconds(100));

        Assert.Equal("before", ActivationAttribution.Choose(before, null, WindowStart, WindowEnd)?.Id);
        Assert.Equal("after", ActivationAttribution.Choose(null, after, WindowStart, WindowEnd)?.Id);
        Assert.Null(ActivationAttribution.Choose(null, null, WindowStart, WindowEnd));
    }

    [Fact]
    public void The_version_is_the_events_own_or_the_release_it_set()
    {
        var canary = Event("c", WindowStart) with { After = new ReleaseRecord { Stable = 1, Canary = 4 } };

        Assert.Equal(4, ActivationAttribution.Choose(canary, null, WindowStart, WindowEnd)?.Version);
        Assert.Equal(7, ActivationAttribution.Choose(canary with { Version = 7 }, null, WindowStart, WindowEnd)?.Version);
    }

    private static ActivationEvent Event(string id, DateTimeOffset at) =>
        new() { Id = id, At = at, Prompt = "p", Environment = "production", Action = "canary-start", Actor = "test" };
}
