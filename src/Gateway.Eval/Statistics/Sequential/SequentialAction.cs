namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>What the runner does after a round.</summary>
internal enum SequentialAction
{
    /// <summary>Run one more repeat of every case on both versions, then ask again.</summary>
    Continue,

    /// <summary>Stop calling; the current states are the verdicts.</summary>
    Stop,
}
