namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// The settings of one adaptive run (<c>--repeats auto --max-calls N</c>). They fix how many looks the run can take,
/// and the interval's width depends on that, so they must not change once the run has started.
/// </summary>
internal sealed record AdaptiveRepeatsOptions
{
    /// <summary>The default futility bound: stop when "no change" is 20 times likelier than a regression worth catching.</summary>
    public const double DefaultFutility = 0.05;

    /// <summary>The default γ of the Hwang–Shih–DeCani spending function (<see cref="RepeatedBoundary"/>).</summary>
    public const double DefaultSpendingGamma = -2;

    /// <summary>The default cap on rounds, whatever the budget: past ~20 repeats the between-case noise dominates anyway.</summary>
    public const int DefaultMaxRounds = 20;

    /// <summary>The budget: calls on both versions together, failed calls included.</summary>
    public required int MaxCalls { get; init; }

    /// <summary>Cases in the dataset; a round runs each of them once on each version, 2 × Cases calls.</summary>
    public required int Cases { get; init; }

    /// <summary>Simultaneous coverage of the whole sequence of intervals, two-sided (the fixed design's 0.95 by default).</summary>
    public double Confidence { get; init; } = PairedBootstrap.DefaultConfidence;

    /// <summary>
    /// Stop spending on a metric once the likelihood ratio of "a regression the full budget would catch 90% of the
    /// time" to "no change" falls below this (Wald's acceptance bound, β). 0 disables this rule; so does strict mode,
    /// where "will not regress" is not enough. (A metric whose repeats never differ within a case is futile anyway.)
    /// </summary>
    public double Futility { get; init; } = DefaultFutility;

    /// <summary>
    /// γ of the Hwang–Shih–DeCani α-spending function that shapes the boundary (<see cref="RepeatedBoundary"/>): 1
    /// spends the error rate nearly evenly over the looks (the last interval then is much wider than the fixed
    /// design's), −4 holds it back for the end (the first intervals then are very wide).
    /// </summary>
    public double SpendingGamma { get; init; } = DefaultSpendingGamma;

    /// <summary>The most rounds (repeats per case) the run may take, even if the budget would allow more.</summary>
    public int MaxRounds { get; init; } = DefaultMaxRounds;

    /// <summary>Strict mode: a metric is settled only when its interval rules out a regression beyond the tolerance.</summary>
    public bool Strict { get; init; }
}
