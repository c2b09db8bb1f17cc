namespace LlmGateway.Eval.Statistics;

/// <summary>
/// One metric's paired values, grouped by case. Keeps every (case, repeat) pair for McNemar, and per-case means of
/// the repeats for the bootstrap, which resamples cases (see <see cref="PairedBootstrap"/>).
/// </summary>
internal sealed class PairedSamples
{
    private readonly double[] _baseline;
    private readonly double[] _candidate;
    private readonly double[] _caseBaselineMeans;
    private readonly double[] _caseCandidateMeans;
    private readonly double[] _caseDifferences;
    private readonly int[] _caseStarts;

    private PairedSamples(double[] baseline, double[] candidate, int[] caseStarts)
    {
        _baseline = baseline;
        _candidate = candidate;
        _caseStarts = caseStarts;
        var cases = caseStarts.Length - 1;
        _caseBaselineMeans = new double[cases];
        _caseCandidateMeans = new double[cases];
        _caseDifferences = new double[cases];
        for (var i = 0; i < cases; i++)
        {
            var start = caseStarts[i];
            var count = caseStarts[i + 1] - start;
            double sumBaseline = 0, sumCandidate = 0, sumDifference = 0;
            for (var j = start; j < start + count; j++)
            {
                sumBaseline += baseline[j];
                sumCandidate += candidate[j];
                sumDifference += candidate[j] - baseline[j];
            }

            _caseBaselineMeans[i] = sumBaseline / count;
            _caseCandidateMeans[i] = sumCandidate / count;
            _caseDifferences[i] = sumDifference / count;
            MaxRepeats = Math.Max(MaxRepeats, count);
        }
    }

    public int Cases => _caseDifferences.Length;

    /// <summary>The most repeats any case has; equal to every case's count in a complete run.</summary>
    public int MaxRepeats { get; }

    public int Observations => _baseline.Length;

    /// <summary>How many repeats case <paramref name="caseIndex"/> has.</summary>
    public int RepeatsOf(int caseIndex) => _caseStarts[caseIndex + 1] - _caseStarts[caseIndex];

    /// <summary>Every pair's baseline value, case by case.</summary>
    public ReadOnlySpan<double> Baseline => _baseline;

    /// <summary>Every pair's candidate value, aligned with <see cref="Baseline"/>.</summary>
    public ReadOnlySpan<double> Candidate => _candidate;

    public ReadOnlySpan<double> CaseBaselineMeans => _caseBaselineMeans;

    public ReadOnlySpan<double> CaseCandidateMeans => _caseCandidateMeans;

    /// <summary>Per case, the mean over its repeats of candidate − baseline: what the bootstrap resamples.</summary>
    public ReadOnlySpan<double> CaseDifferences => _caseDifferences;

    /// <summary>One repeat per case: <paramref name="baseline"/>[i] and <paramref name="candidate"/>[i] are case i.</summary>
    public static PairedSamples FromPairs(ReadOnlySpan<double> baseline, ReadOnlySpan<double> candidate)
    {
        if (baseline.Length != candidate.Length)
        {
            throw new ArgumentException($"Paired values need equal lengths, got {baseline.Length} baseline and {candidate.Length} candidate.", nameof(candidate));
        }

        var starts = new int[baseline.Length + 1];
        for (var i = 0; i < starts.Length; i++)
        {
            starts[i] = i;
        }

        return Create(baseline.ToArray(), candidate.ToArray(), starts);
    }

    /// <summary>
    /// Repeats grouped by case: <paramref name="baseline"/>[i][r] pairs with <paramref name="candidate"/>[i][r]. Cases may
    /// have different numbers of repeats (a repeat lost on one side is dropped from both upstream).
    /// </summary>
    public static PairedSamples FromCases(IReadOnlyList<IReadOnlyList<double>> baseline, IReadOnlyList<IReadOnlyList<double>> candidate)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (baseline.Count != candidate.Count)
        {
            throw new ArgumentException($"Paired cases need equal counts, got {baseline.Count} baseline and {candidate.Count} candidate.", nameof(candidate));
        }

        var starts = new int[baseline.Count + 1];
        for (var i = 0; i < baseline.Count; i++)
        {
            if (baseline[i].Count != candidate[i].Count)
            {
                throw new ArgumentException($"Case {i} has {baseline[i].Count} baseline and {candidate[i].Count} candidate repeats; repeats pair one to one.", nameof(candidate));
            }

            starts[i + 1] = starts[i] + baseline[i].Count;
        }

        var baselineValues = new double[starts[^1]];
        var candidateValues = new double[starts[^1]];
        for (var i = 0; i < baseline.Count; i++)
        {
            for (var r = 0; r < baseline[i].Count; r++)
            {
                baselineValues[starts[i] + r] = baseline[i][r];
                candidateValues[starts[i] + r] = candidate[i][r];
            }
        }

        return Create(baselineValues, candidateValues, starts);
    }

    /// <summary>Groups observations by case id (ordinal, in order of first appearance); each (case, repeat) must appear once.</summary>
    public static PairedSamples FromObservations(IEnumerable<PairedObservation> observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var order = new List<string>();
        var byCase = new Dictionary<string, List<PairedObservation>>(StringComparer.Ordinal);
        foreach (var observation in observations)
        {
            ArgumentNullException.ThrowIfNull(observation.CaseId, nameof(observations));
            if (!byCase.TryGetValue(observation.CaseId, out var repeats))
            {
                repeats = [];
                byCase.Add(observation.CaseId, repeats);
                order.Add(observation.CaseId);
            }

            if (repeats.Exists(o => o.Repeat == observation.Repeat))
            {
                throw new ArgumentException($"Case '{observation.CaseId}' repeat {observation.Repeat} appears twice.", nameof(observations));
            }

            repeats.Add(observation);
        }

        var starts = new int[order.Count + 1];
        var baseline = new List<double>();
        var candidate = new List<double>();
        for (var i = 0; i < order.Count; i++)
        {
            var repeats = byCase[order[i]];
            repeats.Sort((x, y) => x.Repeat.CompareTo(y.Repeat));
            foreach (var observation in repeats)
            {
                baseline.Add(observation.Baseline);
                candidate.Add(observation.Candidate);
            }

            starts[i + 1] = baseline.Count;
        }

        return Create([.. baseline], [.. candidate], starts);
    }

    private static PairedSamples Create(double[] baseline, double[] candidate, int[] caseStarts)
    {
        if (caseStarts.Length < 2)
        {
            throw new ArgumentException("A comparison needs at least one case.");
        }

        for (var i = 0; i < caseStarts.Length - 1; i++)
        {
            if (caseStarts[i + 1] == caseStarts[i])
            {
                throw new ArgumentException($"Case {i} has no repeats.");
            }
        }

        // A NaN would poison every resample mean silently; a missing measurement is the scorer's call, not ours.
        for (var j = 0; j < baseline.Length; j++)
        {
            if (!double.IsFinite(baseline[j]) || !double.IsFinite(candidate[j]))
            {
                throw new ArgumentException($"Pair {j} is not finite (baseline {baseline[j]}, candidate {candidate[j]}).");
            }
        }

        return new PairedSamples(baseline, candidate, caseStarts);
    }
}
