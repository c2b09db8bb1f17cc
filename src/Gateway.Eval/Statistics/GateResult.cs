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
}
