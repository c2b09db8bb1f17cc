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
    /// <summary>
    /// The longest the readings are held back: a sample unscored for longer is stuck (its scoring fails on the store
    /// again and again, and is given its attempts back each time), not late, and must not freeze every prompt's readings.
    /// </summary>
    public static readonly TimeSpan MaxHoldBack = TimeSpan.FromMinutes(15);

    /// <summary>
    /// <paramref name="through"/>, or the oldest unscored sample's request time when that is earlier, but never more
    /// than <see cref="MaxHoldBack"/> earlier.
    /// </summary>
    public async Task<DateTimeOffset> ClampAsync(DateTimeOffset through)
    {
        if (!options.Value.WaitForEvaluator || await samples.OldestUnscoredAsync() is not { } oldest || oldest >= through)
        {
            return through;
        }

        var floor = through - MaxHoldBack;
        return oldest > floor ? oldest : floor;
    }
}
