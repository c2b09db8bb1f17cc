using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Shadow;

/// <summary>
/// <c>Gateway:Shadow</c>: the budget of shadow traffic, the copies of stable requests a rollout's shadow step sends to
/// the candidate version off the response path. The step's plan sets the share; these bound it.
/// </summary>
internal sealed class ShadowOptions
{
    public const string SectionName = "Gateway:Shadow";

    /// <summary>Send shadow traffic at all (off: a shadow step gathers no pairs and pauses at its maximum duration, whatever its plan's <c>on_inconclusive</c>).</summary>
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

    /// <summary>Bytes of client bodies, headers, hosts and query strings the waiting copies may hold in all; past this a copy is dropped (counted).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxQueuedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Spend on shadow calls per UTC day and environment, in USD, across every instance: the budget of the shadow
    /// principal, enforced like a key's <c>daily_spend_usd</c> (reserved before the call, settled after), in slices (<see cref="BudgetSliceShare"/>).
    /// </summary>
    [Range(typeof(decimal), "0.000001", "1000000")]
    public decimal DailyBudgetUsd { get; set; } = 25m;

    /// <summary>
    /// The share of <see cref="DailyBudgetUsd"/> an instance reserves from the store at a time and then spends
    /// copy by copy in memory (so a copy costs no store round trip for its budget). The store counts every slice
    /// taken, so the budget is never overspent; the day's last slices may refuse copies up to one slice per
    /// instance early. An instance gives back what it holds when it stops. 0 reserves and settles each copy in the
    /// store.
    /// </summary>
    [Range(0.0, 1.0)]
    public double BudgetSliceShare { get; set; } = 0.01;

    /// <summary>
    /// How long one copy may take, its whole answer run: past it the copy is aborted, as by a client leaving (counted
    /// as <c>timeout</c>; the gateway bills and samples it as such, unless the stable answer took this long too:
    /// <c>censored</c>, billed, not sampled). Its sender waits for the pipeline to end it (promptly: every stage heeds
    /// the abort or bounds its store calls), so <see cref="MaxConcurrency"/> holds. Keep it at least the largest
    /// <c>TotalTimeoutMs</c> of the models prompts shadow (the default is the default total timeout): a stable answer
    /// is allowed that long, and a copy cut sooner than its stable answer would have been counts against the
    /// candidate whenever the stable answer came in under this and the copy did not.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}
