using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Shadow;

/// <summary>
/// <c>Gateway:Shadow</c>: the budget of shadow traffic, the copies of stable requests a rollout's shadow step sends to
/// the candidate version off the response path. The step's plan sets the share; these bound it.
/// </summary>
internal sealed class ShadowOptions
{
    public const string SectionName = "Gateway:Shadow";

    /// <summary>Send shadow traffic at all (off: a shadow step gathers no pairs and pauses at its maximum duration).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The largest share of stable requests mirrored, whatever a plan asks for (1 = all of them).</summary>
    [Range(0.0, 1.0)]
    public double MaxShare { get; set; } = 1.0;

    /// <summary>Shadow calls in flight at once in this instance; more wait in the queue.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Shadow calls waiting for a slot; past this a copy is dropped (counted), never waited for.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 512;

    /// <summary>
    /// Spend on shadow calls per UTC day and environment, in USD, across every instance: the budget of the shadow
    /// principal, enforced like a key's <c>daily_spend_usd</c> (reserved before the call, settled after).
    /// </summary>
    [Range(typeof(decimal), "0.000001", "1000000")]
    public decimal DailyBudgetUsd { get; set; } = 25m;

    /// <summary>A shadow call that takes longer is abandoned (and counted as timed out, not as a candidate error).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}
