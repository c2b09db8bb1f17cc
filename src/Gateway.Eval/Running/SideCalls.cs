namespace LlmGateway.Eval.Running;

/// <summary>How many calls one side of a run made, and how many of them failed after retries.</summary>
internal sealed record SideCalls(int Total, int Failed)
{
    /// <summary>The failed share; 0 for a side with no calls.</summary>
    public double ErrorRate => Total == 0 ? 0 : (double)Failed / Total;
}
