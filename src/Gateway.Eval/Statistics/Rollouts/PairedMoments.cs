namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// A shadow step's readings of one metric: the same requests answered by both versions (the stable answer is the one
/// the user gets, the candidate's is discarded), so every reading comes as a pair. <see cref="Differences"/> holds the
/// per-request differences candidate − stable; the three counts are the number of pairs and must be equal.
/// </summary>
/// <param name="Stable">The stable version's readings.</param>
/// <param name="Canary">The candidate's readings on the same requests.</param>
/// <param name="Differences">Per request, candidate − stable.</param>
public readonly record struct PairedMoments(ArmMoments Stable, ArmMoments Canary, ArmMoments Differences)
{
    /// <summary>The moments of the pairs (stable, candidate).</summary>
    public static PairedMoments Of(IEnumerable<(double Stable, double Canary)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var result = default(PairedMoments);
        foreach (var (stable, canary) in pairs)
        {
            result = result.Add(stable, canary);
        }

        return result;
    }

    /// <summary>These moments with one more pair.</summary>
    public PairedMoments Add(double stable, double canary) => new(Stable.Add(stable), Canary.Add(canary), Differences.Add(canary - stable));
}
