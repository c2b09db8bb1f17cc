using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Behaviour;

/// <summary>Online evaluation (<c>Gateway:OnlineEval</c>): the evaluators that score sampled traffic, and the change detector.</summary>
internal sealed class OnlineEvalOptions
{
    public const string SectionName = "Gateway:OnlineEval";

    /// <summary>Run an evaluator in this process. Off in proxies of a deployment that runs <c>Gateway.Evaluator</c> apart.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Samples claimed per round trip.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Rounds one evaluator runs at once: while one waits on the store (claim, read, count, ack), another scores, so
    /// one core is kept busy. Each round is independent; the counted marks keep any overlap exact.
    /// </summary>
    [Range(1, 8)]
    public int RoundsInFlight { get; set; } = 2;

    /// <summary>How long the evaluator waits before it looks at the queue again after a round that came back less than full (rounds run back to back only through a backlog).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Run the change detector (one instance at a time holds its lease).</summary>
    public bool DetectChanges { get; set; } = true;

    /// <summary>How often the detector looks at every series.</summary>
    public TimeSpan DetectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest stretch of minutes one look reads (since the metric's last change).</summary>
    [Range(10, 2880)]
    public int DetectionWindowMinutes { get; set; } = 360;

    /// <summary>
    /// How long after a minute ends before the detector reads it. A sample counts in its request's starting minute but
    /// arrives only when the request has ended (and the writer and evaluator have had it): a minute just ended lacks its
    /// slowest requests, so its latency reads low and its fast failures high. 0 reads every minute that has ended.
    /// </summary>
    [Range(0, 3600)]
    public int DetectionSettleSeconds { get; set; } = 60;

    /// <summary>
    /// The readers of the series (the change detector, the rollout controller) read no minute at or after the one of the
    /// oldest sample still waiting to be scored: behind a backlog (a slow judge holding a batch), a minute past its
    /// settle time holds only its requests scored so far, its fast ones first. Off, they read by the settle time alone.
    /// </summary>
    public bool WaitForEvaluator { get; set; } = true;

    /// <summary>
    /// How far after a detected change's minute an activation may be and still be named its cause: the minute is an
    /// estimate (within ±2 minutes of the true one in 81–98% of the simulated detections), so the activation that
    /// caused a change can come just after it. 0 looks only at or before the minute.
    /// </summary>
    [Range(0, 60)]
    public int AttributionMarginMinutes { get; set; } = 2;

    /// <summary>The judge: where the gateway is, and the key its calls are billed to.</summary>
    [Microsoft.Extensions.Options.ValidateObjectMembers]
    public OnlineJudgeOptions Judge { get; set; } = new();
}
