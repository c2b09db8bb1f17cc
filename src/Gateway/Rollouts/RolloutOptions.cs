using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Rollouts;

/// <summary><c>Gateway:Rollouts</c>: the progressive-delivery controller that runs in every instance (one leader acts per rollout).</summary>
internal sealed class RolloutOptions
{
    public const string SectionName = "Gateway:Rollouts";

    /// <summary>Run the controller in this instance (it only acts where it holds a rollout's lease).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each running rollout is judged.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a leader's lease on a rollout lasts unless renewed; a follower takes over after it.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a minute ends before a look reads it, and how much of the step's time counts towards its minimum
    /// duration. A sample counts in its request's starting minute but arrives only once the answer has ended and the
    /// writer and evaluator have had it: a recent minute lacks its slowest, longest answers, so the canary's cost,
    /// tokens and latency read low and its fast failures high. 0 reads every minute that has ended.
    /// </summary>
    [Range(0, 3600)]
    public int SettleSeconds { get; set; } = 60;

    /// <summary>Family-wise error rate of the analysis across a rollout's metrics.</summary>
    [Range(0.0001, 0.4999)]
    public double Alpha { get; set; } = 0.05;
}
