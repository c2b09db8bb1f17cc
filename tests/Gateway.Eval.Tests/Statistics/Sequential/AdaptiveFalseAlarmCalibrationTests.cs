using static LlmGateway.Eval.Tests.Statistics.Sequential.AdaptiveSimulation;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// Neutral versions: the anytime intervals keep false alarms at or below 5% although the planner looks after every
/// round, where looking after every round with the ordinary 95% bootstrap CI does not. See <see cref="AdaptiveSimulation"/>.
/// </summary>
public sealed class AdaptiveFalseAlarmCalibrationTests
{
    [Fact]
    public void Identical_versions_rarely_raise_a_false_alarm_and_naive_peeking_would()
    {
        var figures = Measure(Neutral);
        Report($"{Neutral.Name}: failed {Pct(figures.Adaptive.GateFailed)} adaptive, {Pct(figures.Fixed10.GateFailed)} fixed 10 repeats, {Pct(figures.Naive.GateFailed)} naive peeking");

        Assert.InRange(figures.Adaptive.GateFailed, 0, 0.05);
        Assert.True(figures.Naive.GateFailed > Math.Max(0.05, 2 * figures.Adaptive.GateFailed), "naive peeking should false-alarm well beyond 5%");
    }

    [Fact]
    public void A_rewrite_that_helps_some_cases_and_hurts_others_rarely_raises_a_false_alarm()
    {
        // The population means are equal but these 60 cases' are not: an interval that ignored the between-case
        // noise, which repeats cannot average away, would call that a regression far more often.
        var figures = Measure(NeutralReshuffled);
        Report($"{NeutralReshuffled.Name}: failed {Pct(figures.Adaptive.GateFailed)} adaptive, {Pct(figures.Fixed10.GateFailed)} fixed 10 repeats, {Pct(figures.Naive.GateFailed)} naive peeking");

        Assert.InRange(figures.Adaptive.GateFailed, 0, 0.05);
        Assert.True(figures.Naive.GateFailed > Math.Max(0.05, 2 * figures.Adaptive.GateFailed), "naive peeking should false-alarm well beyond 5%");
    }
}
