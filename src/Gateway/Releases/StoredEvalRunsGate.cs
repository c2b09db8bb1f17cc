using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Store;

namespace LlmGateway.Releases;

/// <summary>
/// The gate on stored evaluation runs: a bundle whose <c>eval.gate_required</c> is true enters a protected
/// environment only with a recorded <c>pass</c> for its version, measured against what that environment
/// serves now (its current stable) and, when the bundle names a dataset, on that dataset. A run against an
/// older stable proves nothing about replacing the current one.
/// </summary>
internal sealed class StoredEvalRunsGate(EvalRunStore runs, GatewayStore store) : IReleaseEvalGate
{
    // Enough for any realistic number of re-runs of one version; older runs are superseded anyway.
    private const int RunsRead = 200;

    public async ValueTask<EvalGateDecision> CheckAsync(PromptBundle bundle, string environment, CancellationToken cancellationToken)
    {
        if (bundle.Eval is not { GateRequired: true } eval)
        {
            return EvalGateDecision.NotGated;
        }

        var subject = $"{bundle.Name} v{bundle.Version} requires a passing evaluation run before it can enter '{environment}'";
        var recorded = await runs.ListAsync(bundle.Name, bundle.Version, RunsRead);
        if (recorded.Count == 0)
        {
            return EvalGateDecision.Refuse($"{subject}, and none is recorded. Run `gatewayctl eval run --candidate {bundle.Version} --baseline stable@{environment}`.");
        }

        var stable = await CurrentStableAsync(bundle.Name, environment);
        // With no stable yet there is nothing to compare against in that environment; re-setting the
        // version already serving there replaces nothing either.
        var againstStable = stable is null || stable == bundle.Version
            ? recorded
            : [.. recorded.Where(r => r.Baseline?.Version == stable)];
        if (againstStable.Count == 0)
        {
            var baselines = string.Join(", ", recorded.Select(r => r.Baseline?.Version).Distinct().Select(v => $"v{v}"));
            return EvalGateDecision.Refuse($"{subject}: runs compare against {baselines}, {environment}'s stable is v{stable}.");
        }

        var onDataset = eval.Dataset is { Length: > 0 } dataset
            ? [.. againstStable.Where(r => r.Datasets?.Any(d => SameDataset(d.Id, dataset)) == true)]
            : againstStable;
        if (onDataset.Count == 0)
        {
            return EvalGateDecision.Refuse($"{subject}: no run against v{stable} used the bundle's dataset '{eval.Dataset}'.");
        }

        // Newest first: the newest passing run is the one the release rests on.
        if (onDataset.FirstOrDefault(r => r.Verdict == EvalRunVerdicts.Pass) is { Id: { } passed })
        {
            return EvalGateDecision.AdmitOn(passed);
        }

        var newest = onDataset[0];
        var regressed = newest.Metrics?.Where(m => m.Verdict == EvalRunVerdicts.Regressed).Select(m => m.Name).ToList() ?? [];
        var detail = regressed.Count > 0 ? $"; regressed: {string.Join(", ", regressed)}" : "";
        return EvalGateDecision.Refuse($"{subject}: {onDataset.Count} run(s) recorded but none passed (newest {newest.Id} is '{newest.Verdict}'{detail}).");
    }

    /// <summary>Runs name datasets by file name; the bundle may name a path (<c>datasets/support.jsonl</c>).</summary>
    private static bool SameDataset(string? runDataset, string bundleDataset) =>
        runDataset is not null
        && (runDataset == bundleDataset || Path.GetFileName(runDataset) == Path.GetFileName(bundleDataset));

    private async Task<int?> CurrentStableAsync(string prompt, string environment)
    {
        var raw = await store.Database.StringGetAsync(store.Keys.Release(prompt, environment));
        return !raw.IsNull && ReleaseJson.TryParse(raw!, out var record) ? record!.Stable : null;
    }
}
