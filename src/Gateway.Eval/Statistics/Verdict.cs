namespace LlmGateway.Eval.Statistics;

/// <summary>What the comparison concludes about one metric.</summary>
internal enum Verdict
{
    /// <summary>No regression beyond the tolerance and no clear improvement.</summary>
    Unchanged,

    /// <summary>The CI excludes zero in the good direction.</summary>
    Improved,

    /// <summary>The CI excludes zero in the bad direction and the point delta is worse than the tolerance.</summary>
    Regressed,

    /// <summary>Strict mode only: not regressed, but the CI's bad end lies beyond the tolerance.</summary>
    Inconclusive,
}
