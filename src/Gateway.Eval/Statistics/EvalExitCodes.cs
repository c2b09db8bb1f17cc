namespace LlmGateway.Eval.Statistics;

/// <summary>
/// Process exit codes of an evaluation, for CI pipelines. Fail is 100 rather than 1 so a regression can never be
/// mistaken for a crash or a usage error (which .NET and shells report as 1 or 2).
/// </summary>
internal static class EvalExitCodes
{
    public const int Pass = 0;

    /// <summary>
    /// The evaluation could not run, its input was invalid, or too many calls failed (an incomplete run); says
    /// nothing about the candidate.
    /// </summary>
    public const int Error = 2;

    /// <summary>Strict mode only: more cases are needed before the gate can decide.</summary>
    public const int Inconclusive = 3;

    /// <summary>The gateway could not be reached: the same code every other <c>gatewayctl</c> command uses for it.</summary>
    public const int Unavailable = 3;

    public const int Fail = 100;

    public static int For(GateResult result) => result switch
    {
        GateResult.Pass => Pass,
        GateResult.Fail => Fail,
        GateResult.Inconclusive => Inconclusive,
        GateResult.Incomplete => Error,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Unknown gate result."),
    };
}
