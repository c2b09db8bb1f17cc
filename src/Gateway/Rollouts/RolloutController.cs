using System.Globalization;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Rollouts;
using LlmGateway.Releases;
using Microsoft.Extensions.Options;
using EvalRolloutOptions = LlmGateway.Eval.Statistics.Rollouts.RolloutOptions;
using EvalStep = LlmGateway.Eval.Statistics.Rollouts.RolloutPlanStep;
using ContractVerdict = LlmGateway.Contracts.Rollouts.RolloutMetricVerdict;

namespace LlmGateway.Rollouts;

/// <summary>
/// One look at one rollout by the instance holding its lease: reconcile with the release (a leader that died
/// between its release change and its rollout write, or an operator's release command), read both arms on the
/// step's window, let <see cref="RolloutJudge"/> decide (anytime-valid confidence sequences: docs/canary-analysis.md),
/// and carry the decision out through the release's compare-and-swap, with the evaluation as evidence.
/// </summary>
internal sealed class RolloutController(
    RolloutStore rollouts,
    RolloutService service,
    ReleaseService releases,
    RolloutReadings readings,
    OnlineEvalPlans plans,
    IRolloutNotifier notifier,
    IOptions<RolloutOptions> options,
    TimeProvider time,
    ILogger<RolloutController> logger)
{
    public const string Actor = "rollout-controller";

    /// <summary>The reason a rollout ends with when its canary was promoted by hand.</summary>
    public const string PromotedOutside = "promoted outside the rollout";

    /// <summary>The reason a rollout ends with when its canary was taken away by hand.</summary>
    public const string RemovedOutside = "the canary was removed outside the rollout";

    /// <summary>
    /// How long a release change made by someone else is left to its author's own rollout write: an operator's abort or
    /// skip-step changes the release, then the rollout, back to back (retried on a lost race, seconds at most).
    /// </summary>
    internal static readonly TimeSpan ManualWriteGrace = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The release was changed by someone else after the rollout's last write, and lately: its author's rollout write
    /// may be on its way.
    /// </summary>
    private bool JustChangedByHand(Contracts.Releases.ReleaseRecord release, RolloutView view) =>
        release.RoutingChangedBy is { } by && by != Actor
        && release.RoutingChangedAt is { } at && at > view.UpdatedAt && time.GetUtcNow() - at < ManualWriteGrace;

    /// <summary>Judges the rollout once; returns the decision taken (null when there was nothing to do).</summary>
    public async Task<string?> EvaluateAsync(string prompt, string environment, long fencingToken, CancellationToken cancellationToken)
    {
        var view = await rollouts.GetAsync(prompt, environment);
        if (view is null || !RolloutStatuses.IsActive(view.Status))
        {
            // A member the index kept (a writer that died between an ended rollout's write and its removal, or a
            // rollout deleted from the store): dropped now, or every instance would lease and read it forever.
            await rollouts.UnlistUnlessActiveAsync(prompt, environment);
            return null;
        }

        var (release, refusal) = await releases.GetAsync(prompt, environment);
        if (refusal is not null || release is null)
        {
            return null;
        }

        if (release.Canary != view.Candidate)
        {
            var promoted = release.Stable == view.Candidate;
            if (release.RoutingChangedBy == Actor && view.LastEvaluation is { Decision: "promote" or "abort" } last && (last.Decision == "promote") == promoted)
            {
                // A leader that promoted or aborted and died before recording it (its evaluation was written before it
                // acted): its own decision, with its reason, announced now; not "outside the rollout".
                var ended = view with { Status = promoted ? RolloutStatuses.Promoted : RolloutStatuses.Aborted, StatusReason = last.Reason, UpdatedAt = time.GetUtcNow() };
                return await RecordAsync(ended, view.Revision, fencingToken, last, promoted ? "promote" : "abort");
            }

            if (JustChangedByHand(release, view))
            {
                // Most likely an operator's rollout abort (or last skip-step) between its release change and its rollout
                // write: that write records it with the operator's reason and announces it once. A look later it is
                // recorded here if it never came (a release command, or a writer that died).
                return null;
            }

            // Someone promoted or took the canary away by hand: the rollout follows the release.
            return promoted
                ? await EndAsync(view, RolloutStatuses.Promoted, "promote", PromotedOutside, null, fencingToken)
                : await EndAsync(view, RolloutStatuses.Aborted, "abort", RemovedOutside, null, fencingToken);
        }

        // A paused rollout is caught up with its dead leader's last advance below: otherwise it would show the old step
        // while users get the next one, and a resume would judge the new step on the old clock. It is judged too, but may
        // only abort (below).
        var paused = view.Status != RolloutStatuses.Running;
        var errors = new List<FieldError>();
        var (candidatePlan, candidateFound) = await plans.FindAsync(prompt, view.Candidate);
        var (baselinePlan, baselineFound) = await plans.FindAsync(prompt, view.Baseline);
        var plan = RolloutPlanReader.Read(view.Plan, candidatePlan, errors, baseline: baselinePlan, baselineVersion: view.Baseline, running: true);
        if (plan is null)
        {
            var problems = string.Join("; ", errors.Select(e => e.Message));
            RolloutLog.PlanUnreadable(logger, prompt, environment, problems);
            if (!candidateFound || !baselineFound)
            {
                // A registry read that missed a version (a replica's lag): look again next time.
                return null;
            }

            // Both versions read, and the plan no longer validates against them (a judge model since removed from
            // the catalog, say): its bundle metrics cannot be judged, but its built-in counters (error, refusal, cost...)
            // read without either version's online_eval. Those that may abort still abort, paused or not: otherwise a
            // canary failing half its requests would keep its weight until a human came.
            if (await BuiltInHarmAsync(view, release) is { } harm)
            {
                return await AbortAsync(view, release, harm, fencingToken, cancellationToken);
            }

            // Nothing else would judge this step: a human is told, as for any pause, once.
            return paused ? null : await EndAsync(view, RolloutStatuses.Paused, "pause", "the plan cannot be judged: " + problems, null, fencingToken);
        }

        var step = plan.Steps[view.Step];

        if (!step.IsServedBy(release))
        {
            // A leader that changed the weight and died before recording it (from a shadow step too: the release
            // then holds the next weight and no shadow share): catch up, never act twice.
            // A leader can only have got one step ahead, and the change is its own: an operator's weight that happens
            // to equal a later step's is a change outside the rollout, which pauses it (never skips steps unjudged).
            var next = view.Step + 1 < plan.Steps.Count ? plan.Steps[view.Step + 1] : null;
            // Only after its claim said "advance": a release at the next step under any other last word is not this
            // rollout's advance, and announcing one would contradict the evidence.
            if (release.ShadowShare == 0 && release.RoutingChangedBy == Actor && view.LastEvaluation is { Decision: "advance" } && next is { Shadow: false } && next.IsServedBy(release))
            {
                // The later of the two clocks: a resume since restarted the step's clock, which the release's time predates.
                var movedAt = release.RoutingChangedAt ?? time.GetUtcNow();
                var aligned = view with { Step = view.Step + 1, Weight = next.WeightBps / 100.0, StepStartedAt = movedAt > view.StepStartedAt ? movedAt : view.StepStartedAt, WindowStartedAt = null, UpdatedAt = time.GetUtcNow() };
                // The dead leader's advance (its evaluation was written before it acted), announced now: it never was.
                return await RecordAsync(aligned, view.Revision, fencingToken, view.LastEvaluation, "advance") is null ? null : "caught-up";
            }

            if (paused)
            {
                // Already waiting for a human, whose pause reason stands; but a weight set outside the plan does not
                // make the canary harmless. Each arm's samples are still that arm's, whatever its weight, so the step's
                // comparison stays valid: an abort-capable metric found harmful aborts, as at any look. Nothing else is
                // done here (the weight is no step of the plan to advance or promote from, and the pause was announced once).
                return await HarmAsync(view, plan, step, release, time.GetUtcNow(), options.Value.Alpha) is { } harm
                    ? await AbortAsync(view, release, harm, fencingToken, cancellationToken)
                    : null;
            }

            if (next is not null && next.IsServedBy(release) && JustChangedByHand(release, view))
            {
                // Most likely an operator's skip-step between its release change and its rollout write: pausing now would
                // announce "skip-step again" while that write lands. A look later it pauses if the write never came.
                return null;
            }

            return await EndAsync(view, RolloutStatuses.Paused, "pause", step.Shadow
                ? string.Create(CultureInfo.InvariantCulture, $"the shadow step's release was changed outside the rollout (canary weight {release.CanaryWeight / 100.0}%, shadow share {release.ShadowShare / 100.0}%)")
                : string.Create(CultureInfo.InvariantCulture, $"the canary's weight was set to {release.CanaryWeight / 100.0}% outside the rollout (if by this rollout's own skip-step, cut short, skip-step again)"), null, fencingToken);
        }

        var now = time.GetUtcNow();
        RolloutDecision decision;
        // Judged on settled minutes only, and the step's time counted to the same instant: its minimum duration is
        // that much evidence, not that much clock while the last minutes' slow answers are still arriving.
        // Clocks of two instances may disagree by a little: never a negative time in step.
        var settled = now - TimeSpan.FromSeconds(options.Value.SettleSeconds);
        var elapsed = settled > view.StepStartedAt ? settled - view.StepStartedAt : TimeSpan.Zero;
        // The step's readings: from its start, through any resumes (the step's clock above restarts at a resume).
        var from = view.WindowStartedAt ?? view.StepStartedAt;
        (long Stable, long Canary)? units = null;
        try
        {
            decision = await DecideAsync(view, plan, step, release, now, options.Value.Alpha);
        }
        catch (ArgumentException ex)
        {
            // Already paused: its reason stands, and is not announced again at every look.
            return paused ? null : await EndAsync(view, RolloutStatuses.Paused, "pause", "the plan cannot be judged: " + ex.Message, null, fencingToken);
        }

        // A step that gathered too few samples by its maximum duration learnt nothing (shadow traffic off or over its
        // budget; sampling off or the evaluator down): even with on_inconclusive: continue, it never moves users onto
        // the candidate unjudged. Continue means "no conclusion from the evidence", not "no evidence".
        var fewest = decision.Verdicts.Count == 0 ? 0 : decision.Verdicts.Min(v => Math.Min(v.StableCount, v.CanaryCount));
        var starved = decision.Reason == RolloutDecisionReason.MaxDurationInconclusive
            && decision.Action is RolloutAction.Advance or RolloutAction.Promote
            && fewest < step.MinSamplesPerArm;
        if (starved)
        {
            decision = decision with { Action = RolloutAction.Pause };
        }

        // Requests are assigned to arms per unit (session, user, else gateway key), and every sample of a unit lands on
        // its arm: an arm of a few units compares those few applications or users with the rest, however many samples
        // they sent, and the samples' standard error hides it. Moving on needs enough distinct units in both arms; an
        // abort is never held back (a canary harmful to a few users is harmful).
        if (!step.Shadow && !paused && decision.Action is RolloutAction.Advance or RolloutAction.Promote)
        {
            // A weight step's arms: the distinct units (users, sessions, keys) each arm's samples come from. Read only
            // for a move (never in the way of an abort, and not at every look of a long-paused step).
            units = await readings.ReadUnitsAsync(prompt, environment, view.Baseline, view.Candidate, from, settled);
        }

        var fewestUnits = units is { } counted ? Math.Min(counted.Stable, counted.Canary) : long.MaxValue;
        var unitShort = !starved && decision.Action is RolloutAction.Advance or RolloutAction.Promote && fewestUnits < step.MinUnitsPerArm;
        var unitReason = "";
        if (unitShort)
        {
            var arm = units!.Value.Canary <= units.Value.Stable ? "canary" : "stable";
            var atMax = elapsed >= step.MaxDuration;
            unitReason = string.Create(CultureInfo.InvariantCulture,
                $"{(atMax ? "the step reached its maximum duration and " : "held: ")}the {arm} arm has {fewestUnits} of the {step.MinUnitsPerArm} distinct users/sessions it needs: clients that send neither X-Session-Id nor user are assigned by key");
            decision = decision with { Action = atMax ? RolloutAction.Pause : RolloutAction.Continue };
        }

        var evaluation = new RolloutEvaluation
        {
            At = now,
            Decision = decision.Action.ToString().ToLowerInvariant(),
            Reason = unitShort ? unitReason
                : !starved ? Explain(decision)
                : step.Shadow ? string.Create(CultureInfo.InvariantCulture, $"the shadow step reached its maximum duration with {fewest} of the {step.MinSamplesPerArm} pairs it needs (is shadow traffic on and within its budget?)")
                : string.Create(CultureInfo.InvariantCulture, $"the step reached its maximum duration with {fewest} of the {step.MinSamplesPerArm} samples per arm it needs (is sampling on, and an evaluator scoring?)"),
            Metrics = [.. decision.Verdicts.Select(ToContract)],
            Units = units is { } read ? new RolloutUnitCounts { Stable = read.Stable, Canary = read.Canary, Required = step.MinUnitsPerArm } : null,
        };

        if (paused && decision.Action != RolloutAction.Abort)
        {
            // Paused by the controller or by an operator alike: a pause holds the canary's weight for a human, it does not
            // keep a canary found harmful in front of users (the README's abort "at any look", which only takes the canary
            // away, as `rollout abort` does). Anything else waits for the human, the evidence written for `status` as it
            // grows; as a pause, since an advance or promote on the rollout is a claim a new leader catches up on.
            // The units are read only for a move: the last ones read stay in view for `status`.
            var held = evaluation with { Decision = "pause", Reason = "held by the pause: " + evaluation.Reason, Units = evaluation.Units ?? view.LastEvaluation?.Units };
            return await rollouts.TryWriteAsync(view with { LastEvaluation = held, UpdatedAt = now }, view.Revision, fencingToken) ? "held" : null;
        }

        switch (decision.Action)
        {
            case RolloutAction.Continue:
                return await rollouts.TryWriteAsync(view with { LastEvaluation = evaluation, UpdatedAt = now }, view.Revision, fencingToken) ? "continue" : null;

            case RolloutAction.Advance:
            case RolloutAction.Promote:
            {
                if (await ClaimAsync(view, evaluation, fencingToken) is not { } claimed)
                {
                    return null;
                }

                // Fenced by the claim's revision: an operator's pause or abort after it leaves the release as it is.
                var (next, change) = await service.AdvanceAsync(claimed, plan, evaluation.Reason!, evaluation, Actor, release.Revision, cancellationToken, claimed.Revision, fencingToken);
                if (change is not null || next is null)
                {
                    return await RefusedAsync(claimed, change, fencingToken);
                }

                await AfterReleaseChange();
                return await RecordAsync(next, claimed.Revision, fencingToken, evaluation, evaluation.Decision)
                    ?? await ReconcileAsync(next, fencingToken, evaluation, decision.Action == RolloutAction.Promote ? "promote" : "advance");
            }

            case RolloutAction.Abort:
                return await AbortAsync(view, release, evaluation, fencingToken, cancellationToken);

            default:
                return await EndAsync(view, RolloutStatuses.Paused, "pause", evaluation.Reason!, evaluation, fencingToken);
        }
    }

    /// <summary>
    /// Reads the step's window, from its start through any resumes (a resume restarts only the step's clock), to the
    /// settled instant, and lets <see cref="RolloutJudge"/> decide. Compares both answers to the same requests (paired)
    /// while the release serves a shadow step's copies and no canary weight; otherwise the two arms. Throws
    /// <see cref="ArgumentException"/> when the plan cannot be judged.
    /// </summary>
    private async Task<RolloutDecision> DecideAsync(RolloutView view, ValidatedRolloutPlan plan, RolloutStepPlan step, Contracts.Releases.ReleaseRecord release, DateTimeOffset now, double alpha)
    {
        var metrics = plan.Metrics.Select(ToEval).ToList();
        var judgeOptions = new EvalRolloutOptions
        {
            Alpha = alpha,
            OnInconclusive = plan.PauseWhenInconclusive ? RolloutInconclusivePolicy.Pause : RolloutInconclusivePolicy.Continue,
        };

        // Judged on settled minutes only, and the step's time counted to the same instant: its minimum duration is
        // that much evidence, not that much clock while the last minutes' slow answers are still arriving.
        // Clocks of two instances may disagree by a little: never a negative time in step.
        var settled = now - TimeSpan.FromSeconds(options.Value.SettleSeconds);
        var elapsed = settled > view.StepStartedAt ? settled - view.StepStartedAt : TimeSpan.Zero;
        var state = new RolloutStepState(view.Step, plan.Steps.Count, elapsed);
        var evalStep = new EvalStep(step.WeightBps, step.MinDuration, step.MinSamplesPerArm, step.MaxDuration);
        var names = plan.Metrics.Where(m => m.Quantile is null).Select(m => m.Metric).ToList();
        var quantileSeries = plan.Metrics.Where(m => m.Quantile is not null).Select(m => m.Series).ToList();
        var from = view.WindowStartedAt ?? view.StepStartedAt;
        // A shadow step's canary answered only copies, paired with the stable answers to the same requests; a shadow
        // step an operator gave a canary weight has users on the candidate, whose canary samples compare as arms.
        if (step.Shadow && release.CanaryWeight == 0)
        {
            var pairs = await readings.ReadPairedWindowAsync(view.Prompt, view.Environment, view.Candidate, names, quantileSeries, from, settled);
            return RolloutJudge.Decide(state, evalStep, metrics, pairs.Moments, judgeOptions, QuantilesByMetric(plan, pairs.Quantiles));
        }

        var window = await readings.ReadWindowAsync(view.Prompt, view.Environment, view.Baseline, view.Candidate, names, quantileSeries, from, settled);
        return RolloutJudge.Decide(state, evalStep, metrics, window.Moments, judgeOptions, QuantilesByMetric(plan, window.Quantiles));
    }

    /// <summary>Each quantile metric's histograms (read per series: <c>latency_ms.p95</c> and <c>latency_ms.p99</c> share one), by the metric's name.</summary>
    private static Dictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)> QuantilesByMetric(
        ValidatedRolloutPlan plan, Dictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)> bySeries) =>
        plan.Metrics.Where(m => m.Quantile is not null && bySeries.ContainsKey(m.Series))
            .ToDictionary(m => m.Metric, m => bySeries[m.Series], StringComparer.Ordinal);

    /// <summary>
    /// The abort guard of a look that may do nothing else: the evaluation to abort on when a metric that may abort is
    /// harmful, else null (a plan that cannot be judged included: the look's caller says so, or already has).
    /// </summary>
    private async Task<RolloutEvaluation?> HarmAsync(RolloutView view, ValidatedRolloutPlan plan, RolloutStepPlan step, Contracts.Releases.ReleaseRecord release, DateTimeOffset now, double alpha)
    {
        RolloutDecision decision;
        try
        {
            decision = await DecideAsync(view, plan, step, release, now, alpha);
        }
        catch (ArgumentException)
        {
            return null;
        }

        return decision.Action != RolloutAction.Abort ? null : new RolloutEvaluation
        {
            At = now,
            Decision = "abort",
            Reason = Explain(decision),
            Metrics = [.. decision.Verdicts.Select(ToContract)],
        };
    }

    /// <summary>
    /// A stored plan that no longer validates against the two versions: its abort-capable built-in metrics, which read
    /// from the gateway's own counters whatever either version's online_eval says, judged for harm. Each keeps the
    /// per-metric α the whole plan gave it (α ÷ (metrics × steps)), so judging fewer metrics is no looser a test.
    /// </summary>
    private async Task<RolloutEvaluation?> BuiltInHarmAsync(RolloutView view, Contracts.Releases.ReleaseRecord release)
    {
        var all = view.Plan.Metrics ?? [];
        var abortable = view.Plan with
        {
            Metrics = [.. all.Where(m => m is not null && m.Abort != false && RolloutPlanReader.IsBuiltIn(m.Metric))],
        };
        // Built-in metrics need neither version's online_eval, and a running rollout's steps were validated at its start.
        var plan = RolloutPlanReader.Read(abortable, OnlineEvalPlan.Empty, [], running: true);
        if (plan is null || view.Step >= plan.Steps.Count)
        {
            return null;
        }

        var alpha = options.Value.Alpha * plan.Metrics.Count / Math.Max(plan.Metrics.Count, all.Count);
        return await HarmAsync(view, plan, plan.Steps[view.Step], release, time.GetUtcNow(), alpha);
    }

    /// <summary>
    /// Takes the canary away on <paramref name="evaluation"/>: claimed first (fenced by the rollout's revision and the
    /// lease's token), then the release's abort, then the rollout's record.
    /// </summary>
    private async Task<string?> AbortAsync(RolloutView view, Contracts.Releases.ReleaseRecord release, RolloutEvaluation evaluation, long fencingToken, CancellationToken cancellationToken)
    {
        if (await ClaimAsync(view, evaluation, fencingToken) is not { } claimed)
        {
            return null;
        }

        if (await service.ChangeReleaseAsync(claimed, ActivationActions.Abort, null, evaluation.Reason!, evaluation, Actor, cancellationToken, release.Revision, claimed.Revision, fencingToken) is { } change)
        {
            return await RefusedAsync(claimed, change, fencingToken);
        }

        await AfterReleaseChange();
        var aborted = claimed with { Status = RolloutStatuses.Aborted, StatusReason = evaluation.Reason, UpdatedAt = evaluation.At };
        return await RecordAsync(aborted, claimed.Revision, fencingToken, evaluation, "abort")
            ?? await ReconcileAsync(aborted, fencingToken, evaluation, "abort");
    }

    /// <summary>
    /// Writes the evaluation before acting on it, fenced: if an operator paused the rollout or a newer leader wrote
    /// since this look read it, the write fails and nothing is changed. Returns the rollout as written.
    /// </summary>
    private async Task<RolloutView?> ClaimAsync(RolloutView view, RolloutEvaluation evaluation, long fencingToken)
    {
        var claimed = view with { LastEvaluation = evaluation, UpdatedAt = evaluation.At };
        return await rollouts.TryWriteAsync(claimed, view.Revision, fencingToken) ? claimed with { Revision = view.Revision + 1 } : null;
    }

    /// <summary>Test seam: runs between the controller's release change and its rollout write (where an operator's write can land).</summary>
    internal Func<Task> AfterReleaseChange { get; set; } = static () => Task.CompletedTask;

    /// <summary>
    /// The release changed (the step, the promotion or the abort is in force for users), but the rollout's own write
    /// lost to a write in between: an operator's pause or resume, which the release script could not see, as it landed
    /// after it. The rollout is brought to what the release now serves, keeping the operator's status unless the
    /// change ended the rollout; otherwise it would show the old step while users got the new one, and a later catch-up
    /// would restart the step's clock from the release's time.
    /// </summary>
    private async Task<string?> ReconcileAsync(RolloutView intended, long fencingToken, RolloutEvaluation evaluation, string decision)
    {
        for (var attempt = 0; attempt < ReconcileAttempts; attempt++)
        {
            var current = await rollouts.GetAsync(intended.Prompt, intended.Environment);
            // The same rollout, not a new one of the same version an operator started since (aborted, then started
            // again): its start identifies it. Another rollout is never given this one's step or end.
            if (current is null || current.Candidate != intended.Candidate || current.StartedAt != intended.StartedAt
                || !RolloutStatuses.IsActive(current.Status))
            {
                return null;
            }

            var ended = !RolloutStatuses.IsActive(intended.Status);
            if (!ended && current.Step > intended.Step)
            {
                // An operator's skip-step recorded a later step since (and moved the release on): theirs stands.
                return null;
            }

            // Already at this step (an operator's skip-step, recorded without a release change): the later clock, with its window.
            var keepCurrentClock = current.Step == intended.Step && current.StepStartedAt > intended.StepStartedAt;
            var merged = current with
            {
                Step = intended.Step,
                Weight = intended.Weight,
                StepStartedAt = keepCurrentClock ? current.StepStartedAt : intended.StepStartedAt,
                WindowStartedAt = keepCurrentClock ? current.WindowStartedAt : intended.WindowStartedAt,
                Status = ended ? intended.Status : current.Status,
                StatusReason = ended ? intended.StatusReason : current.StatusReason,
                LastEvaluation = evaluation,
                UpdatedAt = time.GetUtcNow(),
            };
            if (await RecordAsync(merged, current.Revision, fencingToken, evaluation, decision) is { } recorded)
            {
                return recorded;
            }
        }

        return null;
    }

    // Each attempt lost to yet another write; the next look catches up from the release.
    private const int ReconcileAttempts = 3;

    /// <summary>
    /// A release change the release refused: a lost race is retried next look, a canary taken away is recorded there (as
    /// removed outside the rollout); anything else needs a human.
    /// </summary>
    private async Task<string?> RefusedAsync(RolloutView claimed, ReleaseRefusal? refusal, long fencingToken) =>
        refusal is null or { Code: "revision_conflict" or "canary_gone" }
            ? null
            : await EndAsync(claimed, RolloutStatuses.Paused, "pause", $"the release refused the step: {refusal.Message}", null, fencingToken);

    /// <summary>
    /// Ends or pauses the rollout with the controller's <paramref name="decision"/> (pause, abort or promote), which is what
    /// is recorded and announced. Without a new evaluation, the one kept is relabelled with it, as a held look's is: left
    /// as it was, a pause after a refused promotion read "promote" on the rollout, in its pause's evidence and in the
    /// webhook's evaluation.
    /// </summary>
    private async Task<string?> EndAsync(RolloutView view, string status, string decision, string reason, RolloutEvaluation? evaluation, long fencingToken)
    {
        var now = time.GetUtcNow();
        evaluation ??= view.LastEvaluation is { } kept ? kept with { Decision = decision, Reason = reason } : null;
        var next = view with { Status = status, StatusReason = reason, LastEvaluation = evaluation, UpdatedAt = now };
        if (status == RolloutStatuses.Paused)
        {
            // A pause changes nothing users are served, so it is no activation event: the change detector would name it as
            // a behaviour change's likely cause, and "active at T" would answer with it. It is kept on the rollout with its
            // evidence instead, which the looks that follow overwrite as the last evaluation.
            next = next with { Pauses = RolloutPauses.With(next, Actor, now) };
        }

        return await RecordAsync(next, view.Revision, fencingToken, evaluation, decision);
    }

    private async Task<string?> RecordAsync(RolloutView next, long expectedRevision, long fencingToken, RolloutEvaluation? evaluation, string decision)
    {
        if (!await rollouts.TryWriteAsync(next, expectedRevision, fencingToken))
        {
            return null;
        }

        RolloutLog.Decided(logger, next.Prompt, next.Environment, next.Candidate, decision, next.Step, next.StatusReason ?? evaluation?.Reason ?? "");
        await notifier.NotifyAsync(next, decision);
        return decision;
    }

    private static RolloutMetric ToEval(RolloutMetricPlan metric) => new(
        metric.Metric,
        metric.Kind == MetricKind.Rate ? MetricScale.Rate : MetricScale.Value,
        metric.LowerIsBetter ? RolloutDirection.LowerIsBetter : RolloutDirection.HigherIsBetter,
        metric.Relative ? RolloutThresholdKind.Relative : RolloutThresholdKind.Absolute,
        metric.Threshold,
        metric.CanAbort,
        metric.Quantile);

    private static ContractVerdict ToContract(LlmGateway.Eval.Statistics.Rollouts.RolloutMetricVerdict verdict) => new()
    {
        Metric = verdict.Metric,
        Stable = Arm(verdict.StableCount, verdict.StableMean, verdict.Quantile),
        Canary = Arm(verdict.CanaryCount, verdict.CanaryMean, verdict.Quantile),
        Difference = verdict.Difference,
        CiLow = verdict.Lower,
        CiHigh = verdict.Upper,
        Statistic = verdict.Statistic,
        Threshold = verdict.Threshold,
        Relative = verdict.ThresholdKind == RolloutThresholdKind.Relative,
        Verdict = verdict.Verdict.ToString().ToLowerInvariant(),
    };

    // A quantile metric's arms read their quantile, not a mean.
    private static RolloutArmReading Arm(long count, double? value, double? quantile) => quantile is null
        ? new RolloutArmReading { Count = count, Mean = value }
        : new RolloutArmReading { Count = count, Quantile = value };

    private static string Explain(RolloutDecision decision) => decision.Reason switch
    {
        RolloutDecisionReason.Harmful => $"{decision.Metric} is worse than its threshold (anytime-valid interval entirely past it)",
        RolloutDecisionReason.HarmfulPauseOnly => $"{decision.Metric} is worse than its threshold; it may only pause",
        RolloutDecisionReason.AllAcceptable => "every metric is within its threshold",
        RolloutDecisionReason.MaxDurationInconclusive => "the step reached its maximum duration without a conclusion",
        RolloutDecisionReason.CollectingMinimum => "collecting the step's minimum duration and samples",
        _ => "awaiting evidence",
    };
}
