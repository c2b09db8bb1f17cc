using System.Text.RegularExpressions;
using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/prompts/{name}/evals</c>: record evaluation runs against the version they evaluated, and read them back.</summary>
internal static partial class EvalsApi
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 500;

    public static RouteGroupBuilder MapEvalsApi(this RouteGroupBuilder admin)
    {
        var evals = admin.MapGroup("/prompts/{name}/evals").WithTags("Evaluation runs");
        // Author, not operator: recording a run is part of preparing a version (CI and the person
        // iterating on the prompt run it), while the release itself stays with operators and protected
        // environments still need an approval by someone other than the author.
        evals.MapPost("/", AddAsync)
            .Accepts<EvalRun>("application/json")
            .Produces<EvalRun>(StatusCodes.Status201Created)
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Author))
            .WithName("AddEvalRun").WithSummary("Record an evaluation run of a version.");
        evals.MapGet("/", ListAsync).Produces<EvalRun[]>().WithName("ListEvalRuns").WithSummary("Evaluation runs, newest first.");
        evals.MapGet("/{id}", ShowAsync).Produces<EvalRun>().WithName("ShowEvalRun");
        return admin;
    }

    private static async Task<IResult> AddAsync(string name, HttpContext http, PromptRegistry registry, EvalRunStore runs, TimeProvider time)
    {
        var (run, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.EvalRun, new EvalRun());
        if (error is not null)
        {
            return error;
        }

        if (!(await registry.ListNamesAsync()).Contains(name))
        {
            return PromptsApi.PromptNotFound(name);
        }

        if (run!.Prompt is { } prompt && prompt != name)
        {
            return AdminResults.Invalid($"'prompt' is '{prompt}' but the route names '{name}'.", "prompt");
        }

        if (run.Id is { } id && !IdPattern().IsMatch(id))
        {
            return AdminResults.Invalid("'id' must be 1–64 letters, digits, '_' or '-' (omit it to get an evr_… id).", "id");
        }

        if (run.Verdict is null || !EvalRunVerdicts.All.Contains(run.Verdict))
        {
            return AdminResults.Invalid("'verdict' is required: pass, fail, inconclusive or incomplete.", "verdict");
        }

        var mode = run.Mode ?? EvalRunVerdicts.ComparisonMode;
        if (mode is not (EvalRunVerdicts.ComparisonMode or EvalRunVerdicts.ThresholdsMode))
        {
            return AdminResults.Invalid("'mode' is comparison (against a baseline) or thresholds (the candidate alone).", "mode");
        }

        var (candidate, candidateError) = await CheckTargetAsync(registry, name, run.Candidate, "candidate");
        if (candidateError is not null)
        {
            return candidateError;
        }

        EvalRunTarget? baseline = null;
        if (mode == EvalRunVerdicts.ComparisonMode)
        {
            (baseline, var baselineError) = await CheckTargetAsync(registry, name, run.Baseline, "baseline");
            if (baselineError is not null)
            {
                return baselineError;
            }
        }
        else if (run.Baseline is not null)
        {
            return AdminResults.Invalid("A thresholds run has no baseline.", "baseline");
        }
        else if (run.Thresholds is not { Count: > 0 })
        {
            return AdminResults.Invalid("A thresholds run lists the thresholds it was judged on.", "thresholds");
        }

        if (CheckCalls(run, mode) is { } callsError)
        {
            return callsError;
        }

        if (CheckPassingMetrics(run) is { } metricsError)
        {
            return metricsError;
        }

        for (var i = 0; i < (run.Datasets?.Length ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(run.Datasets![i].Id))
            {
                return AdminResults.Invalid("Every dataset needs an 'id'.", $"datasets[{i}].id");
            }
        }

        for (var i = 0; i < (run.Metrics?.Length ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(run.Metrics![i].Name))
            {
                return AdminResults.Invalid("Every metric needs a 'name'.", $"metrics[{i}].name");
            }
        }

        var stored = run with
        {
            Id = run.Id ?? EvalRunStore.NewId(),
            Prompt = name,
            Mode = mode,
            Candidate = candidate,
            Baseline = baseline,
            Complete = run.Calls?.IsComplete() ?? false,
            Datasets = run.Datasets ?? [],
            Metrics = run.Metrics ?? [],
            CreatedAt = time.GetUtcNow(),
            Actor = AdminAuthorizationFilter.Principal(http).Name,
        };
        var serialized = EvalRunStore.Serialize(stored);
        if (serialized.Length > EvalRunStore.MaxRunBytes)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "invalid_request_error", "eval_run_too_large",
                $"A run is a summary of at most {EvalRunStore.MaxRunBytes / 1024} KB as stored (its metrics, datasets and counts); this one is larger.", null);
        }

        return await runs.AddAsync(stored, serialized)
            ? Results.Json(stored, GatewayJsonContext.Default.EvalRun, statusCode: StatusCodes.Status201Created)
            : AdminResults.Error(StatusCodes.Status409Conflict, "invalid_request_error", "eval_run_exists", $"'{name}' already has a run '{stored.Id}'; runs are never rewritten.", "id");
    }

    private static async Task<IResult> ListAsync(string name, int? version, int? limit, PromptRegistry registry, EvalRunStore runs)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return AdminResults.Invalid($"'limit' must be 1–{MaxLimit}.", "limit");
        }

        if (!(await registry.ListNamesAsync()).Contains(name))
        {
            return PromptsApi.PromptNotFound(name);
        }

        var list = await runs.ListAsync(name, version, limit ?? DefaultLimit);
        return Results.Json(list.ToArray(), GatewayJsonContext.Default.EvalRunArray);
    }

    private static async Task<IResult> ShowAsync(string name, string id, EvalRunStore runs) =>
        await runs.GetAsync(name, id) is { } run
            ? Results.Json(run, GatewayJsonContext.Default.EvalRun)
            : AdminResults.NotFound("eval_run_not_found", $"'{name}' has no evaluation run '{id}'.", "id");

    /// <summary>
    /// Call counts, when given, must add up; a <c>pass</c> must carry them and be complete by them, so a run in which
    /// calls failed wholesale can never be recorded as the evidence a release rests on.
    /// </summary>
    private static IResult? CheckCalls(EvalRun run, string mode)
    {
        if (run.Calls is { } calls)
        {
            foreach (var (side, counts) in new[] { ("baseline", calls.Baseline), ("candidate", calls.Candidate) })
            {
                if (counts is not null && (counts.Total < 0 || counts.Failed < 0 || counts.Failed > counts.Total))
                {
                    return AdminResults.Invalid($"'calls.{side}' needs 0 <= failed <= total.", $"calls.{side}");
                }
            }

            if (calls.Candidate is null)
            {
                return AdminResults.Invalid("'calls.candidate' is required with 'calls'.", "calls.candidate");
            }

            // The sides must match the mode: a comparison without baseline counts would pass completeness on the
            // candidate alone; a thresholds run has no baseline to count.
            if (mode == EvalRunVerdicts.ComparisonMode && calls.Baseline is not { Total: > 0 })
            {
                return AdminResults.Invalid("A comparison run counts its baseline calls too ('calls.baseline.total' > 0).", "calls.baseline");
            }

            if (mode == EvalRunVerdicts.ThresholdsMode && calls.Baseline is not null)
            {
                return AdminResults.Invalid("A thresholds run has no baseline calls.", "calls.baseline");
            }

            if (!(calls.MaxErrorRate >= 0 && calls.MaxErrorRate <= EvalRunCalls.MaxAllowedErrorRate))
            {
                return AdminResults.Invalid($"'calls.max_error_rate' must be between 0 and {EvalRunCalls.MaxAllowedErrorRate}.", "calls.max_error_rate");
            }
        }

        if (run.Verdict == EvalRunVerdicts.Pass && run.Calls?.IsComplete() != true)
        {
            return AdminResults.Invalid(
                run.Calls is null
                    ? "A 'pass' needs 'calls' (total and failed per side): a run whose calls are not counted cannot show it is complete."
                    : $"A 'pass' must be complete, but {run.Calls.Describe()}, more failures than its max_error_rate {run.Calls.MaxErrorRate} allows; record it as 'incomplete'.",
                "verdict");
        }

        return null;
    }

    /// <summary>
    /// A <c>pass</c> must agree with its own metrics: at least one gated metric, each measured on at least one case, none
    /// regressed or inconclusive, and in a thresholds run every gated metric's candidate value on the right side of its
    /// threshold (the metric's <c>baseline</c>). A pass that gated nothing, or gated on nothing measured, says nothing.
    /// </summary>
    private static IResult? CheckPassingMetrics(EvalRun run)
    {
        if (run.Verdict != EvalRunVerdicts.Pass)
        {
            return null;
        }

        var metrics = run.Metrics ?? [];
        if (!metrics.Any(m => m.Gated))
        {
            return AdminResults.Invalid("A 'pass' needs at least one gated metric: a run that gated nothing cannot show the version is no worse.", "metrics");
        }

        for (var i = 0; i < metrics.Length; i++)
        {
            var metric = metrics[i];
            if (!metric.Gated)
            {
                continue;
            }

            if (metric.N is not > 0)
            {
                return AdminResults.Invalid($"A 'pass' cannot rest on gated metric '{metric.Name}' measured on no case ('n' must be at least 1).", $"metrics[{i}].n");
            }

            if (metric.Verdict is EvalRunVerdicts.Regressed or EvalRunVerdicts.Inconclusive)
            {
                return AdminResults.Invalid($"A 'pass' cannot have a gated metric '{metric.Name}' that is '{metric.Verdict}'.", $"metrics[{i}].verdict");
            }

            if (run.Mode == EvalRunVerdicts.ThresholdsMode && run.Thresholds?.ContainsKey(metric.Name ?? "") == true && !metric.MeetsThreshold())
            {
                return AdminResults.Invalid(
                    $"A 'pass' judged on thresholds needs '{metric.Name}' on the right side of its threshold ('candidate', 'baseline' = the threshold, 'direction').",
                    $"metrics[{i}].candidate");
            }
        }

        return null;
    }

    /// <summary>The version must exist; a given bundle id must be that version's, and an absent one is filled in.</summary>
    private static async Task<(EvalRunTarget? Target, IResult? Error)> CheckTargetAsync(PromptRegistry registry, string name, EvalRunTarget? target, string field)
    {
        if (target is not { Version: > 0 })
        {
            return (null, AdminResults.Invalid($"'{field}.version' is required: a pushed version number.", $"{field}.version"));
        }

        if (await registry.GetAsync(name, target.Version) is not { } stored)
        {
            return (null, AdminResults.Invalid($"'{name}' has no version {target.Version}.", $"{field}.version"));
        }

        if (target.BundleId is { } bundleId && bundleId != stored.Bundle.Id)
        {
            return (null, AdminResults.Invalid($"'{field}.bundle_id' is not the id of {name} v{target.Version} ({stored.Bundle.Id}).", $"{field}.bundle_id"));
        }

        return (target with { BundleId = stored.Bundle.Id }, null);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex IdPattern();
}
