namespace LlmGateway.LoadTests.Comparison;

/// <summary>One performance goal of issue #14 next to what this run measured.</summary>
/// <param name="Target">The goal as written, e.g. "≥ 0.85× bare YARP".</param>
/// <param name="Gateway">The gateway's figure the verdict rests on; null when not measured.</param>
/// <param name="Baseline">Bare YARP's figure.</param>
/// <param name="Measured">The figure compared with the goal (a ratio, a difference, or the gateway's own).</param>
/// <param name="Verdict"><see cref="Met"/>, <see cref="NotMet"/> or <see cref="NotMeasured"/>.</param>
/// <param name="Phase">Which phase of the run the figures come from.</param>
/// <param name="Note">What the reader needs to weigh the figure (e.g. the store's share of the RSS).</param>
internal sealed record GoalCheck(string Goal, string Target, string? Gateway, string? Baseline, string? Measured, string Verdict, string? Phase, string? Note)
{
    public const string Met = "met";
    public const string NotMet = "not met";
    public const string NotMeasured = "not measured";

    /// <param name="phase">The phase that should have measured it, if the run had one.</param>
    public static GoalCheck Missing(string goal, string target, string why, string? phase = null) => new(goal, target, null, null, null, NotMeasured, phase, why);

    public static string VerdictOf(bool met) => met ? Met : NotMet;
}
