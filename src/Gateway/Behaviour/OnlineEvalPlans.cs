using System.Collections.Concurrent;
using LlmGateway.Errors;
using LlmGateway.Prompts;
using LlmGateway.Providers;

namespace LlmGateway.Behaviour;

/// <summary>
/// Each version's plan, read once: bundles are immutable, so a version's plan never changes, unless the catalog under it
/// does. A plan whose judge model left the catalog keeps its other assertions (its <c>llm-rubric</c> ones are skipped),
/// and is read again after <see cref="DegradedFor"/>: the model may come back.
/// </summary>
internal sealed class OnlineEvalPlans(PromptRegistry registry, ModelCatalog catalog, TimeProvider time, ILogger<OnlineEvalPlans> logger)
{
    /// <summary>How long a plan read without its judge (or without its block) is kept before it is read again.</summary>
    internal static readonly TimeSpan DegradedFor = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(string Prompt, int Version), (OnlineEvalPlan Plan, DateTimeOffset? Until)> _plans = new();

    public async ValueTask<OnlineEvalPlan> GetAsync(string prompt, int version) => (await FindAsync(prompt, version)).Plan;

    /// <summary>The version's plan, and whether the version was found (an unfound one reads as empty, and may be a replica's lag).</summary>
    public async ValueTask<(OnlineEvalPlan Plan, bool Found)> FindAsync(string prompt, int version)
    {
        if (_plans.TryGetValue((prompt, version), out var cached) && (cached.Until is not { } until || time.GetUtcNow() < until))
        {
            return (cached.Plan, true);
        }

        var bundle = await registry.GetBundleAsync(prompt, version);
        var errors = new List<FieldError>();
        var plan = OnlineEvalPlan.Read(bundle?.OnlineEval, catalog, errors);
        var degraded = false;
        if (plan is null)
        {
            // Valid at push; a model since removed from the catalog can make it unreadable now. Without its judge, the
            // rest of the block still reads (a judge model gone must not stop is-json, regex or toxicity being scored).
            degraded = true;
            var withoutJudge = OnlineEvalPlan.Read(OnlineEvalPlan.WithoutJudge(bundle!.OnlineEval!), catalog, []);
            BehaviourLog.PlanUnreadable(
                logger,
                prompt,
                version,
                string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")),
                withoutJudge is null ? "only the built-in metrics are scored" : "its llm-rubric assertions are skipped, the others scored");
            plan = withoutJudge ?? OnlineEvalPlan.Empty;
        }

        // A version not found yet is not cached: it may be a replica's lag.
        if (bundle is not null)
        {
            _plans[(prompt, version)] = (plan, degraded ? time.GetUtcNow() + DegradedFor : null);
        }

        return (plan, bundle is not null);
    }
}
