namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// What the planner needs from one metric's paired samples: the case-level means and spread, and how much of that
/// spread is run-to-run noise that more repeats would average away.
/// </summary>
/// <param name="Cases">Cases with at least one pair.</param>
/// <param name="Repeats">Mean repeats per case (pairs ÷ cases): the look's repeat count.</param>
/// <param name="UniformRepeats">Whether every case has the same number of repeats.</param>
/// <param name="BaselineMean">Mean over cases of each case's baseline mean, as <see cref="PairedBootstrap"/> reports it.</param>
/// <param name="CandidateMean">The same for the candidate.</param>
/// <param name="Delta">Mean over cases of each case's mean difference (candidate − baseline).</param>
/// <param name="CaseVariance">
/// Sample variance (n − 1) of the per-case mean differences: it estimates σ²_between + σ²_within / r, the whole
/// variance the interval must carry, so the interval covers the population of cases and not just these cases.
/// </param>
/// <param name="Pairs">Every pair, over all cases and repeats.</param>
/// <param name="Discordance">Σ |candidate − baseline| over the pairs: for a rate, the pairs whose outcomes differ.</param>
/// <param name="Binary">Whether every value, on both sides, is 0 or 1: pass/fail outcomes, whatever the metric's kind.</param>
/// <param name="WithinVariance">
/// The run-to-run variance of one pair's difference within a case (σ²_within), or null when it cannot be told apart
/// from the between-case part: with one repeat per case, or with unequal repeats (rare: a pair lost to a failed
/// call), where the flat pairs cannot be assigned to cases from their count alone.
/// </param>
internal sealed record ClusterMoments(
    int Cases,
    double Repeats,
    bool UniformRepeats,
    double BaselineMean,
    double CandidateMean,
    double Delta,
    double CaseVariance,
    double? WithinVariance,
    int Pairs,
    double Discordance,
    bool Binary = false)
{
    /// <summary>
    /// The standard error of <see cref="Delta"/>: over the population of cases when there are two or more. With one
    /// case, that case's own repeats', infinite when it has a single run: the judgement is then about this case alone.
    /// Either is inflated by Student's t over the normal quantile for its degrees of freedom (n − 1 cases, or k − 1
    /// repeats) below 30: the boundaries are the normal's, and two cases, or two repeats, are one degree of freedom. With <paramref name="rateFloor"/>, for a rate it is
    /// never below the binomial standard error of the pairs' discordance with two pseudo-discordances added (Agresti
    /// &amp; Coull's adjustment, q = (D + 2) / (N + 4)): pairs that all agree show a spread of 0, which says a
    /// disagreement is rare (below about 3 / N), not that it never happens. Without the floor a first round in which
    /// every pair agreed was an interval of one point, cleared at once: a candidate failing one call in ten on a
    /// dataset the baseline always passes passed whenever its first 20 calls happened to pass. With
    /// <paramref name="scores"/> (assertion outcomes, <see cref="MetricSamples.Scores"/>) the floor applies to a
    /// continuous metric too when its values are all 0/1 (a weighted score over pass/fail assertions) or its spread is 0:
    /// such pairs agreeing everywhere say no more than a rate's.
    /// </summary>
    public double StandardError(MetricKind kind, bool rateFloor = true, bool scores = false)
    {
        var se = Cases >= 2 ? Math.Sqrt(CaseVariance / Cases) * StudentT.Inflation(Cases - 1)
            : WithinVariance is { } within && Repeats >= 2 ? Math.Sqrt(within / Repeats) * StudentT.Inflation((int)Repeats - 1)
            : double.PositiveInfinity;
        return Math.Max(se, BinomialFloor(kind, rateFloor, scores));
    }

    /// <summary>
    /// The floor of <see cref="StandardError"/> alone, or 0 where none applies: for the fixed design, whose bootstrap
    /// interval is likewise a point when every pair agrees.
    /// </summary>
    public double BinomialFloor(MetricKind kind, bool rateFloor = true, bool scores = false)
    {
        var zeroSpread = Cases >= 2 ? CaseVariance == 0 : WithinVariance == 0;
        if (!rateFloor || Pairs == 0 || !(kind == MetricKind.Rate || (scores && (Binary || zeroSpread))))
        {
            return 0;
        }

        var q = (Discordance + 2) / (Pairs + 4.0);
        return Math.Sqrt(q * (1 - q) / Pairs);
    }

    public static ClusterMoments From(PairedSamples samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var n = samples.Cases;
        var differences = samples.CaseDifferences;
        var delta = Mean(differences);
        double squares = 0;
        foreach (var d in differences)
        {
            squares += (d - delta) * (d - delta);
        }

        var caseVariance = n < 2 ? double.PositiveInfinity : squares / (n - 1);
        double discordance = 0;
        var binary = true;
        for (var j = 0; j < samples.Observations; j++)
        {
            discordance += Math.Abs(samples.Candidate[j] - samples.Baseline[j]);
            binary &= samples.Candidate[j] is 0 or 1 && samples.Baseline[j] is 0 or 1;
        }

        // Every case has at most MaxRepeats pairs, so the total equals n × MaxRepeats only when each has exactly
        // that many; then case i's pairs are the contiguous block [i·r, (i + 1)·r).
        var repeats = samples.MaxRepeats;
        var uniform = samples.Observations == n * repeats;
        double? within = null;
        if (uniform && repeats >= 2)
        {
            var baseline = samples.Baseline;
            var candidate = samples.Candidate;
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = i * repeats; j < (i + 1) * repeats; j++)
                {
                    var deviation = candidate[j] - baseline[j] - differences[i];
                    sum += deviation * deviation;
                }
            }

            within = sum / (n * (repeats - 1));
        }

        return new ClusterMoments(
            n,
            (double)samples.Observations / n,
            uniform,
            Mean(samples.CaseBaselineMeans),
            Mean(samples.CaseCandidateMeans),
            delta,
            caseVariance,
            within,
            samples.Observations,
            discordance,
            binary);
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }
}
