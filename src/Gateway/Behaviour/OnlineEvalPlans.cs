using System.Collections.Concurrent;
using LlmGateway.Errors;
using LlmGateway.Prompts;
using LlmGateway.Providers;

namespace LlmGateway.Behaviour;

/// <summary>
/// Each version's plan, read once: bundles are immutable, and the catalog is read at start, so a version's plan never
/// changes within a process. A plan whose judge model is not in this process's catalog keeps its other assertions
/// (its <c>llm-rubric</c> ones are skipped), and says so once.
/// </summary>
internal sealed class OnlineEvalPlans(PromptRegistry registry, ModelCatalog catalog, ILogger<OnlineEvalPlans> logger)
{
    private readonly ConcurrentDictionary<(string Prompt, int Version), OnlineEvalPlan> _plans = new();

    public async ValueTask<OnlineEvalPlan> GetAsync(string prompt, int version) => (await FindAsync(prompt, version)).Plan;

    /// <summary>The version's plan, and whether the version was found (an unfound one reads as empty, and may be a replica's lag).</summary>
    public async ValueTask<(OnlineEvalPlan Plan, bool Found)> FindAsync(string prompt, int version)
    {
        if (_plans.TryGetValue((prompt, version), out var cached))
        {
            return (cached, true);
        }

        var bundle = await registry.GetBundleAsync(prompt, version);
        var errors = new List<FieldError>();
        var plan = OnlineEvalPlan.Read(bundle?.OnlineEval, catalog, errors, stored: true);
        if (plan is null)
        {
            // Valid at push; a model since removed from the catalog can make it unreadable now. Without its judge, the
            // rest of the block still reads (a judge model gone must not stop is-json, regex or toxicity being scored).
            var withoutJudge = OnlineEvalPlan.Read(OnlineEvalPlan.WithoutJudge(bundle!.OnlineEval!), catalog, [], stored: true);
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
            _plans[(prompt, version)] = plan;
        }

        return (plan, bundle is not null);
    }
}
