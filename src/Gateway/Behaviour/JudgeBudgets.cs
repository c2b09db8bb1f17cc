using System.Collections.Concurrent;
using LlmGateway.Contracts.Releases;
using LlmGateway.Releases;
using LlmGateway.Store;

namespace LlmGateway.Behaviour;

/// <summary>
/// The one daily judge budget of a prompt in an environment, which its judge spend (one counter) is held to: the largest
/// <c>online_eval.judge.daily_budget_usd</c> among the versions its release serves there (stable, canary, a shadow step's
/// candidate). Each version's own budget made the arms stop being judged at different moments (a stable at 1 USD went
/// unjudged while a canary at 5 USD was still judged), so their judged series covered different hours and the
/// comparisons of judge metrics between them were biased. A sample of a version no longer served is held to the same
/// budget; with no release there, to its own plan's.
/// </summary>
/// <remarks>
/// In a gateway the served versions come from the release snapshot it already holds (no store read per sample). A
/// separate evaluator (<c>Gateway.Evaluator</c>) holds none: it reads the release record from the store, at most once per
/// <see cref="ReleaseReadInterval"/> per prompt and environment.
/// </remarks>
internal sealed class JudgeBudgets(OnlineEvalPlans plans, GatewayStore store, TimeProvider time, ReleaseSnapshotProvider? snapshots = null)
{
    /// <summary>How long a separate evaluator uses a release it read before reading it again.</summary>
    public static readonly TimeSpan ReleaseReadInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Prompt, string Environment), (DateTimeOffset ReadAt, ReleaseRecord? Release)> _read = new();

    public async ValueTask<decimal> DailyBudgetUsdAsync(string prompt, string environment, OnlineJudgePlan plan)
    {
        var release = await ReleaseAsync(prompt, environment);
        decimal? budget = null;
        foreach (var version in new[] { release?.Stable, release?.Canary })
        {
            if (version is { } served && await plans.GetAsync(prompt, served) is { NeedsJudge: true, Judge: { } judge })
            {
                budget = Math.Max(budget ?? 0m, judge.DailyBudgetUsd);
            }
        }

        return budget ?? plan.DailyBudgetUsd;
    }

    private async ValueTask<ReleaseRecord?> ReleaseAsync(string prompt, string environment)
    {
        if (snapshots is not null)
        {
            return snapshots.Current.TryGet(prompt, environment, out var active) ? active.Record : null;
        }

        var now = time.GetUtcNow();
        if (_read.TryGetValue((prompt, environment), out var read) && now - read.ReadAt < ReleaseReadInterval)
        {
            return read.Release;
        }

        var json = await store.Database.StringGetAsync(store.Keys.Release(prompt, environment));
        // A value that does not read serves nothing in the gateways either.
        var release = json.HasValue && ReleaseJson.TryParse(json!, out var record) ? record : null;
        _read[(prompt, environment)] = (now, release);
        return release;
    }
}
