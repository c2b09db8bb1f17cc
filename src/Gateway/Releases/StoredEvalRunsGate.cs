using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Store;

namespace LlmGateway.Releases;

/// <summary>
/// The gate on stored evaluation runs: a bundle whose <c>eval.gate_required</c> is true enters a protected
/// environment only with a recorded, <b>complete</b> <c>pass</c> for its version, measured against what that
/// environment serves now (its current stable) and, when the bundle names a dataset, on that dataset. A run against
/// an older stable proves nothing about replacing the current one; a run in which too many calls failed proves
/// nothing at all, unless it fails (its verdict, or the candidate's calls alone failing): a fail counts, complete or
/// not; of the eligible runs, the newest decides. While the environment has no stable (a first release), a
/// complete run that meets the bundle's <c>eval.thresholds</c> admits it (a comparison run only when it has none, and
/// never one of the version against itself). A bundle that pins its dataset's content (<c>eval.dataset_sha256</c>)
/// counts only runs on that content.
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
        var stable = await CurrentStableAsync(bundle.Name, environment);

        // With no stable yet there is nothing to compare against in that environment; re-setting the
        // version already serving there replaces nothing either.
        var first = stable is null || stable == bundle.Version;
        var recorded = await runs.ListAsync(bundle.Name, bundle.Version, RunsRead);
        if (recorded.Count == 0)
        {
            var how = first
                ? $"Run `gatewayctl eval run --candidate {bundle.Version} --baseline none` (judged on the bundle's eval.thresholds) or against another version."
                : $"Run `gatewayctl eval run --candidate {bundle.Version} --baseline stable@{environment}`.";
            return EvalGateDecision.Refuse($"{subject}, and none is recorded. {how}");
        }

        // A run decides when it is complete, and also when it fails, complete or not: a fail is never a pass, and an
        // older pass must not stand for a version whose newer run found a regression or saw its calls break
        // (CandidateBroke: read from the counts, whatever verdict the run carries). One its client called incomplete
        // decides only so: the counts the server reads hold failed calls, not the scoring errors (a judge that was
        // down) that can make a run incomplete.
        var deciding = recorded.Where(r => (r.Calls?.IsComplete() == true && r.Verdict != EvalRunVerdicts.Incomplete)
            || r.Verdict == EvalRunVerdicts.Fail || r.Calls?.CandidateBroke() == true).ToList();
        if (deciding.Count == 0)
        {
            var newest = recorded[0];
            var calls = newest.Calls is { } c ? c.Describe() : "it has no call counts";
            return EvalGateDecision.Refuse($"{subject}: {recorded.Count} run(s) recorded but none is complete (newest {newest.Id}: {calls}).");
        }

        var bundleThresholds = eval.TryReadThresholds(out var thresholds) ? thresholds : [];
        // A first release: with thresholds, only a run judged on them (a comparison never checks them); without, a
        // comparison against another version. A version compared with itself measures only noise: never eligible.
        var eligible = first
            ? [.. deciding.Where(r => IsThresholdsRun(r)
                ? JudgedOnBundleThresholds(r, bundleThresholds)
                : bundleThresholds.Count == 0 && r.Baseline?.Version is { } against && against != bundle.Version)]
            : deciding.Where(r => !IsThresholdsRun(r) && r.Baseline?.Version == stable).ToList();
        if (eligible.Count == 0)
        {
            if (first)
            {
                return EvalGateDecision.Refuse(bundleThresholds.Count == 0
                    ? $"{subject}: no complete run compares it with another version (one with itself measures only noise), and the bundle has no eval.thresholds to judge it on alone."
                    : $"{subject}: no complete run was judged on the bundle's eval.thresholds ({Describe(bundleThresholds)}) and met them.");
            }

            var baselines = string.Join(", ", deciding.Select(r => r.Baseline?.Version is { } v ? $"v{v}" : "thresholds").Distinct());
            return EvalGateDecision.Refuse($"{subject}: complete runs compare against {baselines}, {environment}'s stable is v{stable}.");
        }

        // A pinned dataset counts only at that content: the same file name with other cases is another test.
        var onDataset = eval.Dataset is { Length: > 0 } dataset
            ? [.. eligible.Where(r => r.Datasets?.Any(d => SameDataset(d.Id, dataset) && (eval.DatasetSha256 is null || string.Equals(d.Sha256, eval.DatasetSha256, StringComparison.OrdinalIgnoreCase))) == true)]
            : eligible;
        if (onDataset.Count == 0)
        {
            var pinned = eval.DatasetSha256 is { } sha ? $" at sha256 {sha} (eval.dataset_sha256)" : "";
            var onOther = pinned.Length > 0 && eligible.Any(r => r.Datasets?.Any(d => SameDataset(d.Id, eval.Dataset!)) == true)
                ? " Runs on a file of that name with other content do not count."
                : "";
            return EvalGateDecision.Refuse($"{subject}: no eligible run used the bundle's dataset '{eval.Dataset}'{pinned}.{onOther}");
        }

        // Newest first: the newest eligible run is the one the release rests on. An older pass does not outvote a newer
        // fail or inconclusive run: re-running until one passes would be a test repeated until it says yes.
        var latest = onDataset[0];
        if (latest is { Verdict: EvalRunVerdicts.Pass, Id: { } passed } && (!IsThresholdsRun(latest) || MeetsBundleThresholds(latest, bundleThresholds)))
        {
            return EvalGateDecision.AdmitOn(passed, latest.Calls);
        }

        var regressed = latest.Metrics?.Where(m => m.Verdict == EvalRunVerdicts.Regressed).Select(m => m.Name).ToList() ?? [];
        var detail = (regressed.Count > 0 ? $"; regressed: {string.Join(", ", regressed)}" : "")
            + (latest.Calls?.CandidateBroke() == true ? $"; the candidate's calls failed ({latest.Calls.Describe()})" : "");
        var olderPass = onDataset.Skip(1).Any(r => r.Verdict == EvalRunVerdicts.Pass) ? " An older run passed, but the newest decides." : "";
        var judgedOn = IsThresholdsRun(latest) ? $" (judged on the bundle's eval.thresholds: {Describe(bundleThresholds)})" : "";
        var verdict = latest.Verdict == EvalRunVerdicts.Pass ? "'pass', but its metrics do not meet them" : $"'{latest.Verdict}'";
        return EvalGateDecision.Refuse($"{subject}: the newest eligible run {latest.Id}{judgedOn} is {verdict}{detail}.{olderPass}");
    }

    private static bool IsThresholdsRun(EvalRun run) => run.Mode == EvalRunVerdicts.ThresholdsMode;

    /// <summary>The run was judged on exactly the thresholds the bundle holds now (whatever it found).</summary>
    private static bool JudgedOnBundleThresholds(EvalRun run, Dictionary<string, double> bundleThresholds) =>
        bundleThresholds.Count > 0 && run.Thresholds is { } judged && judged.Count == bundleThresholds.Count
        && bundleThresholds.All(t => judged.TryGetValue(t.Key, out var used) && used == t.Value);

    /// <summary>
    /// The run was judged on exactly the thresholds the bundle holds now, and every one of them has a metric whose
    /// recorded candidate value meets it in the metric's direction: the server checks the numbers, not only the verdict.
    /// </summary>
    private static bool MeetsBundleThresholds(EvalRun run, Dictionary<string, double> bundleThresholds)
    {
        if (!JudgedOnBundleThresholds(run, bundleThresholds))
        {
            return false;
        }

        foreach (var (metric, threshold) in bundleThresholds)
        {
            if (run.Metrics?.FirstOrDefault(m => m.Name == metric) is not { } measured
                || measured.Verdict == EvalRunVerdicts.Regressed
                || measured.Baseline != threshold
                || !measured.MeetsThreshold())
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(Dictionary<string, double> thresholds) =>
        string.Join(", ", thresholds.Select(t => $"{t.Key} {t.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    /// <summary>Runs name datasets by file name; the bundle may name a path (<c>datasets/support.jsonl</c>).</summary>
    private static bool SameDataset(string? runDataset, string bundleDataset) =>
        runDataset is not null
        && (runDataset == bundleDataset || Path.GetFileName(runDataset) == Path.GetFileName(bundleDataset));

    private async Task<int?> CurrentStableAsync(string prompt, string environment)
    {
        var raw = await store.Database.StringGetAsync(store.Keys.Release(prompt, environment));
        if (raw.IsNull)
        {
            return null;
        }

        // A value every instance ignores (not JSON, or a stable never pushed, written by hand) is not what they serve:
        // the last good release is, and the repair starts from it (ReleaseService), so the gate compares against its
        // stable too; with none, there is no stable (re-setting the version serving is then a first release, as ever).
        return await PushedStableAsync(prompt, raw)
            ?? await PushedStableAsync(prompt, await store.Database.StringGetAsync(store.Keys.ReleaseLogged(prompt, environment)));
    }

    private async Task<int?> PushedStableAsync(string prompt, StackExchange.Redis.RedisValue value)
    {
        var stable = !value.IsNullOrEmpty && ReleaseJson.TryParse(value!, out var record) ? record?.Stable : null;
        return stable is { } version && await store.Database.HashExistsAsync(store.Keys.PromptBundles(prompt), version) ? version : null;
    }
}
