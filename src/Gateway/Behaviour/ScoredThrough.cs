using LlmGateway.Sampling;
using Microsoft.Extensions.Options;

namespace LlmGateway.Behaviour;

/// <summary>
/// How far the behaviour series are whole: a reader's instant, held back to the request time of the oldest sample still
/// waiting to be scored (<see cref="OnlineEvalOptions.WaitForEvaluator"/>). A sample counts in its request's minute only
/// once scored, and behind a backlog the fast requests of a minute are scored before its slow ones.
/// </summary>
internal sealed class ScoredThrough(SampleStore samples, IOptions<OnlineEvalOptions> options)
{
    /// <summary><paramref name="through"/>, or the oldest unscored sample's request time when that is earlier.</summary>
    public async Task<DateTimeOffset> ClampAsync(DateTimeOffset through) =>
        options.Value.WaitForEvaluator && await samples.OldestUnscoredAsync() is { } oldest && oldest < through ? oldest : through;
}
