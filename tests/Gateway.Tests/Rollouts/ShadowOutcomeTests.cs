using LlmGateway.Shadow;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// The dispatcher's count of a copy agrees with its sample: both read whether the pipeline found the copy answered
/// whole, so a deadline that fires after the answer, before the exchange ends, neither hides an answer it sampled nor
/// counts a cut copy as answered.
/// </summary>
public sealed class ShadowOutcomeTests
{
    [Fact]
    public void A_copy_answered_whole_before_its_late_deadline_is_counted_answered_as_it_is_sampled()
    {
        var copy = new ShadowCopy("staging", "smp_1", 1, 2, stableOutlastedTimeout: true);
        copy.Ended(incomplete: false);

        var (outcome, _) = ShadowDispatcher.Outcome(200, pastDeadline: true, wasAborted: true, failure: null, errorHead: "", copy);

        Assert.Equal("answered", outcome);
    }

    [Theory]
    [InlineData(true, "censored")]
    [InlineData(false, "timeout")]
    public void A_copy_its_deadline_cut_is_censored_or_a_timeout(bool stableOutlastedTimeout, string expected)
    {
        var copy = new ShadowCopy("staging", "smp_1", 1, 2, stableOutlastedTimeout);
        copy.Ended(incomplete: true);

        Assert.Equal(expected, ShadowDispatcher.Outcome(499, pastDeadline: true, wasAborted: true, failure: null, errorHead: "", copy).Outcome);
    }

    [Fact]
    public void A_copy_that_never_reached_the_end_of_the_pipeline_is_judged_by_its_deadline_as_before()
    {
        var copy = new ShadowCopy("staging", "smp_1", 1, 2);

        Assert.Equal("timeout", ShadowDispatcher.Outcome(200, pastDeadline: true, wasAborted: true, failure: null, errorHead: "", copy).Outcome);
        Assert.Equal("failed", ShadowDispatcher.Outcome(200, pastDeadline: false, wasAborted: true, failure: null, errorHead: "", copy).Outcome);
    }
}
