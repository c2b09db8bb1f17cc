namespace LlmGateway.Eval.Statistics;

/// <summary>The overall outcome for a candidate; see <see cref="EvalExitCodes"/> for how it leaves the CLI.</summary>
internal enum GateResult
{
    /// <summary>No gated metric regressed (and, in strict mode, none is inconclusive).</summary>
    Pass,

    /// <summary>At least one gated metric regressed.</summary>
    Fail,

    /// <summary>Strict mode: none regressed, but some gated metric could not rule out a regression beyond its tolerance.</summary>
    Inconclusive,

    /// <summary>
    /// Too many calls failed (more than <c>max_error_rate</c> on either side): the run has no verdict, whatever its
    /// metrics say, and is never stored as a pass.
    /// </summary>
    Incomplete,
}
