using System.Globalization;
using LlmGateway.Accounting;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Releases;

namespace LlmGateway.Rollouts;

/// <summary>
/// Starting a rollout and taking manual control of it. Every change of weight goes through the same
/// compare-and-swap as the release API (<see cref="ReleaseService"/>), so a rollout's steps are ordinary
/// activation events with their evidence, and an operator's <c>release</c> commands stay valid beside it.
/// </summary>
internal sealed class RolloutService(
    RolloutStore rollouts, ReleaseService releases, PromptRegistry registry, OnlineEvalPlans plans, ModelCatalog catalog, PricingTable pricing, IRolloutNotifier notifier, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Shadow.ShadowOptions> shadow)
{
    public async Task<RolloutOutcome> GetAsync(string prompt, string environment) =>
        await rollouts.GetAsync(prompt, environment) is { } view
            ? new RolloutOutcome(view)
            : new RolloutOutcome(null, ReleaseRefusal.NotFound("rollout_not_found", $"'{prompt}' has no rollout in '{environment}'.", "name"));

    public async Task<RolloutOutcome> StartAsync(string prompt, string environment, RolloutStartRequest request, string actor, CancellationToken cancellationToken)
    {
        if (request.Version is not { } version || version < 1)
        {
            return new RolloutOutcome(null, ReleaseRefusal.Invalid("'version' is required: the version to roll out.", "version"));
        }

        var (bundle, unreadable) = await ReadBundleAsync(prompt, version);
        if (unreadable is not null)
        {
            return new RolloutOutcome(null, unreadable);
        }

        if (bundle is null)
        {
            return new RolloutOutcome(null, ReleaseRefusal.NotFound("version_not_found", $"'{prompt}' has no version {version}.", "version"));
        }

        var existing = await rollouts.GetAsync(prompt, environment);
        if (existing is not null && RolloutStatuses.IsActive(existing.Status))
        {
            return new RolloutOutcome(null, ReleaseRefusal.Conflict("rollout_in_progress", $"A rollout of v{existing.Candidate} is {existing.Status} in '{environment}'; abort it first."));
        }

        var (release, refusal) = await releases.GetAsync(prompt, environment);
        if (refusal is not null)
        {
            return new RolloutOutcome(null, refusal);
        }

        if (release?.Stable is not { } stable)
        {
            return new RolloutOutcome(null, ReleaseRefusal.Conflict("no_stable", $"'{prompt}' has no stable version in '{environment}'; set one before rolling out."));
        }

        if (stable == version)
        {
            return new RolloutOutcome(null, ReleaseRefusal.Invalid($"v{version} is already the stable version.", "version"));
        }

        if (release.Canary is { } canary)
        {
            return new RolloutOutcome(null, ReleaseRefusal.Conflict("canary_in_progress", $"v{canary} is already a canary in '{environment}'; promote or abort it first."));
        }

        // The stable arm is the baseline every step is judged against: a record that does not read cannot be one (set a
        // version that reads first), and reading it below would otherwise fail as a 500.
        if ((await ReadBundleAsync(prompt, stable)).Refusal is { } stableUnreadable)
        {
            return new RolloutOutcome(null, stableUnreadable with { Message = $"The stable version: {stableUnreadable.Message}", Param = null });
        }

        var plan = request.Plan ?? bundle.Rollout ?? RolloutPlanReader.Default;
        var field = request.Plan is not null ? "plan" : bundle.Rollout is not null ? "rollout" : "plan";
        var errors = new List<FieldError>();
        var validated = RolloutPlanReader.Read(plan, await plans.GetAsync(prompt, version), errors, field, await plans.GetAsync(prompt, stable), stable);
        if (validated is null)
        {
            return new RolloutOutcome(null, null, errors);
        }

        // Cost is judged relative to stable's: with either arm's model unpriced (or free) it never reads, and every
        // step would pause at its maximum duration. A plan of the operator's is refused; the default plan leaves cost out.
        if (validated.Metrics.Any(m => m.Metric == OnlineMetrics.CostUsd) && await UnpricedModelAsync(prompt, bundle, stable) is { } unpriced)
        {
            if (request.Plan is not null || bundle.Rollout is not null)
            {
                var index = (plan.Metrics ?? []).ToList().FindIndex(m => m.Metric?.Trim() == OnlineMetrics.CostUsd);
                return new RolloutOutcome(null, null, [new FieldError($"{field}.metrics[{index}].metric",
                    $"'{OnlineMetrics.CostUsd}' cannot be judged: model '{unpriced}' has no price (config/pricing.json, or PUT /admin/v1/pricing/{unpriced}); price it or leave cost out of the plan.")]);
            }

            plan = plan with { Metrics = [.. plan.Metrics!.Where(m => m.Metric != OnlineMetrics.CostUsd)] };
            validated = RolloutPlanReader.Read(plan, await plans.GetAsync(prompt, version), errors, field, await plans.GetAsync(prompt, stable), stable)!;
        }

        // A shadow step's copies are budgeted against the shadow day: to an unpriced candidate every copy is refused, and
        // the step would wait out its maximum with no pair to judge.
        var shadowStep = validated.Steps.ToList().FindIndex(s => s.Shadow);
        // A maximum share of 0 sends nothing either: the router draws against the smaller of the two shares.
        if (shadowStep >= 0 && (!shadow.Value.Enabled || shadow.Value.MaxShare <= 0))
        {
            return new RolloutOutcome(null, null, [new FieldError($"{field}.steps[{shadowStep}].shadow",
                "Shadow traffic is off on this gateway (Gateway:Shadow:Enabled, or Gateway:Shadow:MaxShare 0): no copy would be sent, and the step would wait out its maximum with nothing to judge.")]);
        }

        if (shadowStep >= 0
            && catalog.TryGetModel(bundle.Model, out var candidateModel)
            && pricing.PriceAt(candidateModel.UpstreamModel, time.GetUtcNow()) is null)
        {
            return new RolloutOutcome(null, null, [new FieldError($"{field}.steps[{shadowStep}].shadow",
                $"A shadow step needs the candidate's model priced: '{candidateModel.UpstreamModel}' has none (config/pricing.json, or PUT /admin/v1/pricing/{candidateModel.UpstreamModel}), and its copies are budgeted in dollars.")]);
        }

        var now = time.GetUtcNow();
        var view = new RolloutView
        {
            Prompt = prompt,
            Environment = environment,
            Candidate = version,
            Baseline = stable,
            Status = RolloutStatuses.Running,
            Step = 0,
            StepStartedAt = now,
            Weight = validated.Steps[0].WeightBps / 100.0,
            StartedAt = now,
            StartedBy = actor,
            Reason = request.Reason,
            Plan = RolloutPlanReader.WithStoredDefaults(plan),
            Sampling = validated.Sampling,
            UpdatedAt = now,
        };

        // A shadow step starts the candidate as a canary of weight 0 with a shadow share: no user sees it.
        var first = validated.Steps[0];
        var change = new ReleaseChange(ActivationActions.CanaryStart, version, first.WeightBps, StepReason(view, validated, request.Reason), release.Revision,
            RolloutEvidence.For(view, null, actor), ShadowShare: first.ShadowShareBps, At: now, RolloutSampling: validated.Sampling);
        // A start writes the release (the canary at its first step), then the rollout. If either answer is lost (the
        // store failing, the caller gone), the canary this start made, if it was made, is taken back before the failure
        // is answered: no canary serves users with no rollout judging it.
        ReleaseRecord? started;
        bool written;
        try
        {
            (started, var startRefusal) = await releases.ApplyAsync(prompt, environment, change, actor, cancellationToken);
            if (startRefusal is not null)
            {
                return new RolloutOutcome(null, startRefusal);
            }

            await AfterCanaryStart();
            written = await rollouts.TryWriteAsync(view, existing?.Revision ?? 0, fencingToken: null);
        }
        catch
        {
            if (await WithdrawIfStartedAsync(view, release.Revision + 1, actor))
            {
                // Both writes landed; only an answer was lost: the rollout runs, and the start succeeded.
                return await NotifiedAsync(view with { Revision = (existing?.Revision ?? 0) + 1 }, "start", request.Reason ?? $"started by {actor}");
            }

            throw;
        }

        if (!written)
        {
            var withdrawal = await WithdrawCanaryAsync(view, started!.Revision, actor);
            return new RolloutOutcome(null, withdrawal is null
                ? ReleaseRefusal.Conflict("revision_conflict", "The rollout was changed concurrently; the canary it started was withdrawn. Re-read it and retry.")
                : ReleaseRefusal.Conflict("rollout_not_recorded",
                    $"v{version} was started as a canary, but its rollout could not be recorded and withdrawing the canary failed ({withdrawal.Message}); abort the canary with the release API."));
        }

        return await NotifiedAsync(view with { Revision = (existing?.Revision ?? 0) + 1 }, "start", request.Reason ?? $"started by {actor}");
    }

    /// <summary>
    /// After a start that failed part-way: the canary it wrote, if the release shows it (this start's revision, by this
    /// actor, stamped with this start's time), is withdrawn, unless the rollout was recorded after all (this start's, by its start): then true, the start
    /// stands. Never throws.
    /// </summary>
    private async Task<bool> WithdrawIfStartedAsync(RolloutView view, long startedRevision, string actor)
    {
        try
        {
            if (await rollouts.GetAsync(view.Prompt, view.Environment) is { } recorded
                && recorded.StartedAt == view.StartedAt && recorded.Candidate == view.Candidate && RolloutStatuses.IsActive(recorded.Status))
            {
                return true;
            }

            var (release, _) = await releases.GetAsync(view.Prompt, view.Environment);
            // Its time tells this start's canary from another start's of the same version, by the same token, whose write
            // won the same revision.
            if (release is { Canary: { } canary } && canary == view.Candidate && release.Revision == startedRevision && release.Actor == actor
                && release.UpdatedAt == view.StartedAt)
            {
                await WithdrawCanaryAsync(view, startedRevision, actor);
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // The store is still failing: the start's caller gets its failure, and the release shows the canary.
        }

        return false;
    }

    /// <summary>Test seam: runs between a start's canary and its rollout record.</summary>
    internal Func<Task> AfterCanaryStart { get; set; } = static () => Task.CompletedTask;

    /// <summary>Test seam: runs after an abort's or a skip-step's release change, before its rollout write (where a controller's look can land).</summary>
    internal Func<Task> AfterManualReleaseChange { get; set; } = static () => Task.CompletedTask;

    /// <summary>
    /// Undoes a start's canary whose rollout was not recorded, by compare-and-swap on the release the start wrote (a later
    /// change by anyone else is left alone). Null when withdrawn; never throws.
    /// </summary>
    private async Task<ReleaseRefusal?> WithdrawCanaryAsync(RolloutView view, long startedRevision, string actor)
    {
        try
        {
            return await ChangeReleaseAsync(
                view, ActivationActions.Abort, null, $"rollout start of v{view.Candidate} not recorded: canary withdrawn", null, actor, CancellationToken.None, startedRevision);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            return ReleaseRefusal.Conflict("store_unavailable", "the store did not answer");
        }
    }

    /// <summary>pause, resume, abort or skip-step, by an operator: always wins over the controller.</summary>
    public async Task<RolloutOutcome> ControlAsync(string prompt, string environment, string action, string? reason, string actor, CancellationToken cancellationToken)
    {
        var view = await rollouts.GetAsync(prompt, environment);
        if (view is null)
        {
            return await GetAsync(prompt, environment);
        }

        if (!RolloutStatuses.IsActive(view.Status))
        {
            return new RolloutOutcome(null, ReleaseRefusal.Conflict("rollout_ended", $"The rollout of v{view.Candidate} is {view.Status}."));
        }

        var (release, releaseRefusal) = await releases.GetAsync(prompt, environment);
        // A pause or a resume changes the rollout alone: an unreadable release (a bad raw write) must not keep an
        // operator from stopping the controller.
        if (releaseRefusal is not null && action is not ("pause" or "resume"))
        {
            return new RolloutOutcome(null, releaseRefusal);
        }

        // The release is the truth: act only on this rollout's own canary.
        var canaryIsCandidate = release?.Canary == view.Candidate;
        if (action is "abort" or "skip-step" && !canaryIsCandidate && !(action == "abort" && release?.Canary is null && release?.Stable != view.Candidate))
        {
            return new RolloutOutcome(null, ReleaseRefusal.Conflict("canary_not_candidate", release?.Stable == view.Candidate
                ? $"v{view.Candidate} was already promoted; the rollout ends at the controller's next look."
                : $"The release's canary is {(release?.Canary is { } other ? $"v{other}" : "gone")}, not the rollout's v{view.Candidate}; change the release directly."));
        }

        var now = time.GetUtcNow();
        var step = view.Step;
        Func<RolloutView, RolloutView> apply;
        // A skip of the last step promotes: it ends the rollout as the controller's look may have.
        var skipEnds = false;

        switch (action)
        {
            case "pause":
                apply = v =>
                {
                    var paused = v with { Status = RolloutStatuses.Paused, StatusReason = reason ?? $"paused by {actor}", UpdatedAt = now };
                    return paused with { Pauses = RolloutPauses.With(paused, actor, now) };
                };
                break;
            case "resume" when view.Status != RolloutStatuses.Paused:
                // Resuming a running rollout would only restart its step's clock.
                return new RolloutOutcome(null, ReleaseRefusal.Conflict("rollout_not_paused", $"The rollout of v{view.Candidate} is {view.Status}; only a paused rollout resumes."));
            case "resume":
                // The step's clock restarts (its minimum and maximum duration count from now), but not its readings: the
                // confidence sequence is valid at every look, so it carries on. A fresh window at every resume would
                // give an inconclusive step a new test at the full α each time (k resumes, up to k × α).
                apply = v => v with { Status = RolloutStatuses.Running, StatusReason = null, StepStartedAt = now, WindowStartedAt = v.WindowStartedAt ?? v.StepStartedAt, UpdatedAt = now };
                break;
            case "abort":
            {
                if (canaryIsCandidate && await AbortReleaseAsync(view, release!, reason ?? $"rollout aborted by {actor}", actor, cancellationToken) is { } refusal)
                {
                    return new RolloutOutcome(null, refusal);
                }

                apply = v => v with { Status = RolloutStatuses.Aborted, StatusReason = reason ?? $"aborted by {actor}", UpdatedAt = now };
                break;
            }

            case "skip-step":
            {
                var errors = new List<FieldError>();
                if (RolloutPlanReader.Read(view.Plan, await plans.GetAsync(prompt, view.Candidate), errors, baseline: await plans.GetAsync(prompt, view.Baseline), baselineVersion: view.Baseline, running: true) is not { } plan)
                {
                    return new RolloutOutcome(null, ReleaseRefusal.Conflict("plan_unreadable", "The rollout's stored plan no longer validates (" + string.Join("; ", errors.Select(e => e.Message)) + "); pause, resume or abort it instead."));
                }

                // The release must still serve the step this read of the rollout is at, or the step is changed again,
                // writing its event twice. One that already serves the next step (the controller's step landing between
                // the two reads, or an earlier skip whose rollout write was cut short) is recorded there, no second
                // change; one that serves neither moved on some other way.
                // The canary is this rollout's candidate (above): there is a release.
                var live = release!;
                if (!plan.Steps[view.Step].IsServedBy(live))
                {
                    if (view.Step + 1 < plan.Steps.Count && live.Canary == view.Candidate && live.ShadowShare == 0 && plan.Steps[view.Step + 1].IsServedBy(live))
                    {
                        var served = plan.Steps[view.Step + 1];
                        var startedAt = live.RoutingChangedAt ?? now;
                        apply = v => v with { Step = view.Step + 1, Weight = served.WeightBps / 100.0, StepStartedAt = startedAt, WindowStartedAt = null, UpdatedAt = now };
                        break;
                    }

                    return new RolloutOutcome(null, ReleaseRefusal.Conflict("rollout_moved",
                        string.Create(CultureInfo.InvariantCulture, $"The release no longer serves step {view.Step + 1} (canary weight {live.CanaryWeight / 100.0}%): the rollout moved on meanwhile. Re-read it.")));
                }

                var (advanced, refusal) = await AdvanceAsync(view, plan, reason ?? $"step skipped by {actor}", view.LastEvaluation, actor, live.Revision, cancellationToken);
                if (refusal is not null)
                {
                    return new RolloutOutcome(null, refusal);
                }

                // The step moves; the status only if the skip changed it (a promotion at the last step): a pause the
                // controller wrote meanwhile, with its reason, is kept when this write is retried on the fresh rollout.
                var statusChanged = advanced!.Status != view.Status;
                skipEnds = statusChanged;
                apply = v => v with
                {
                    Status = statusChanged ? advanced.Status : v.Status,
                    StatusReason = statusChanged ? advanced.StatusReason : v.StatusReason,
                    Step = advanced.Step,
                    StepStartedAt = advanced.StepStartedAt,
                    WindowStartedAt = advanced.WindowStartedAt,
                    Weight = advanced.Weight,
                    UpdatedAt = now,
                };
                break;
            }

            default:
                return new RolloutOutcome(null, ReleaseRefusal.Invalid($"Unknown action '{action}'.", "action"));
        }

        if (action is "abort" or "skip-step")
        {
            await AfterManualReleaseChange();
        }

        // Manual control always wins: the controller writes its evaluations every look, so a lost race is retried
        // on the fresh rollout (the release change, if any, is already made) — unless it ended or moved on meanwhile.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var next = apply(view);
            if (await rollouts.TryWriteAsync(next, view.Revision, fencingToken: null))
            {
                return await NotifiedAsync(next with { Revision = view.Revision + 1 }, action, reason ?? $"{action} by {actor}");
            }

            view = await rollouts.GetAsync(prompt, environment) ?? view;
            if ((action == "abort" || (action == "skip-step" && skipEnds)) && view.StatusReason is RolloutController.RemovedOutside or RolloutController.PromotedOutside
                && apply(view).Status == view.Status)
            {
                // The controller looked between this request's release change and its rollout write, and ended the
                // rollout as changed "outside" it: that change was this one. The operator's reason and notification stand.
                continue;
            }

            if (action == "abort" && view.Status == RolloutStatuses.Aborted)
            {
                // The controller aborted meanwhile: what was asked for is done.
                return new RolloutOutcome(view);
            }

            if (!RolloutStatuses.IsActive(view.Status) || (action == "skip-step" && view.Step != step))
            {
                return new RolloutOutcome(null, ReleaseRefusal.Conflict("rollout_moved", $"The rollout moved on meanwhile (now {view.Status}, step {view.Step + 1}). Re-read it."));
            }

            if (action == "resume" && view.Status != RolloutStatuses.Paused)
            {
                // Resumed by someone else meanwhile: resuming again would only restart the step's clock.
                return new RolloutOutcome(null, ReleaseRefusal.Conflict("rollout_not_paused", $"The rollout of v{view.Candidate} is {view.Status}; only a paused rollout resumes."));
            }
        }

        return new RolloutOutcome(null, ReleaseRefusal.Conflict("revision_conflict", "The rollout kept changing under this request. Re-read it and retry."));
    }

    /// <summary>
    /// An operator's abort of the release: a controller's step landing between the read and the write is a lost race,
    /// not a refusal (manual control always wins), so it is re-read and tried again while the canary is still the
    /// candidate. Null when the canary is gone (aborted here, or meanwhile).
    /// </summary>
    private async Task<ReleaseRefusal?> AbortReleaseAsync(RolloutView view, ReleaseRecord release, string reason, string actor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var refusal = await ChangeReleaseAsync(view, ActivationActions.Abort, null, reason, view.LastEvaluation, actor, cancellationToken, release.Revision);
            if (refusal is not { Code: "revision_conflict" } || attempt == 9)
            {
                return refusal;
            }

            var (current, readRefusal) = await releases.GetAsync(view.Prompt, view.Environment);
            if (readRefusal is not null)
            {
                return readRefusal;
            }

            if (current?.Stable == view.Candidate)
            {
                // The controller's promotion landed first: nothing is left to abort, and saying "aborted" would be false.
                return ReleaseRefusal.Conflict("canary_not_candidate", $"v{view.Candidate} was promoted meanwhile; roll the release back to undo it.");
            }

            if (current?.Canary is null)
            {
                // Gone some other way (the controller's own abort, say): the abort asked for has happened.
                return null;
            }

            if (current.Canary != view.Candidate)
            {
                return ReleaseRefusal.Conflict("canary_not_candidate", $"The release's canary is now v{current.Canary}, not the rollout's v{view.Candidate}; change the release directly.");
            }

            release = current;
        }
    }

    /// <summary>The upstream model of the candidate's or the stable version's bundle that has no positive price now, if any.</summary>
    /// <summary>A version's bundle; a record that does not read is refused as a release change refuses it: it cannot serve.</summary>
    private async Task<(PromptBundle? Bundle, ReleaseRefusal? Refusal)> ReadBundleAsync(string prompt, int version)
    {
        try
        {
            return (await registry.GetBundleAsync(prompt, version), null);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
        {
            return (null, ReleaseRefusal.Unservable(prompt, version, $"it cannot be read ({ex.GetType().Name})"));
        }
    }

    private async Task<string?> UnpricedModelAsync(string prompt, PromptBundle candidate, int stable)
    {
        var baseline = await registry.GetBundleAsync(prompt, stable);
        foreach (var model in new[] { candidate.Model, baseline?.Model })
        {
            if (model is null || !catalog.TryGetModel(model, out var entry))
            {
                continue;
            }

            if (pricing.PriceAt(entry.UpstreamModel, time.GetUtcNow()) is not { } price || (price.InputPerMillion <= 0 && price.OutputPerMillion <= 0))
            {
                return entry.UpstreamModel;
            }
        }

        return null;
    }

    /// <summary>An operator's command is a decision too: the environment's webhook hears it as it hears the controller's.</summary>
    /// <summary>
    /// Announces an operator's command (or a start) with the rollout as this command wrote it: not read back, so a store
    /// failing after the command took effect cannot fail the command, and a controller's write landing in between cannot
    /// lend the announcement its status and reason. The notifier never throws.
    /// </summary>
    private async Task<RolloutOutcome> NotifiedAsync(RolloutView written, string decision, string reason)
    {
        // Told why in the operator's words (a resume or a skip would otherwise repeat the last evaluation's reason).
        await notifier.NotifyAsync(written with { StatusReason = written.StatusReason ?? reason }, decision);
        return new RolloutOutcome(written);
    }

    /// <summary>
    /// Moves to the next step (its weight through the release's compare-and-swap), or promotes after the last.
    /// Returns the rollout as it should be stored next.
    /// </summary>
    public async Task<(RolloutView? Next, ReleaseRefusal? Refusal)> AdvanceAsync(
        RolloutView view, ValidatedRolloutPlan plan, string reason, RolloutEvaluation? evaluation, string actor, long? expectedReleaseRevision, CancellationToken cancellationToken,
        long? rolloutRevision = null, long? fencingToken = null)
    {
        var now = time.GetUtcNow();
        if (view.Step + 1 >= plan.Steps.Count)
        {
            var refusal = await ChangeReleaseAsync(view, ActivationActions.Promote, null, reason, evaluation, actor, cancellationToken, expectedReleaseRevision, rolloutRevision, fencingToken);
            return refusal is not null
                ? (null, refusal)
                : (view with { Status = RolloutStatuses.Promoted, StatusReason = reason, LastEvaluation = evaluation ?? view.LastEvaluation, UpdatedAt = now }, null);
        }

        var nextStep = plan.Steps[view.Step + 1];
        var advanced = view with { Step = view.Step + 1, StepStartedAt = now, WindowStartedAt = null, Weight = nextStep.WeightBps / 100.0, LastEvaluation = evaluation ?? view.LastEvaluation, UpdatedAt = now };
        var change = await ChangeReleaseAsync(view, ActivationActions.CanaryStart, nextStep.WeightBps, StepReason(advanced, plan, reason), evaluation, actor, cancellationToken, expectedReleaseRevision, rolloutRevision, fencingToken);
        return change is not null ? (null, change) : (advanced, null);
    }

    /// <param name="rolloutRevision">
    /// The controller's: the release changes only if the rollout is still at this revision (no operator's pause or
    /// abort since its look). Null for an operator's own action.
    /// </param>
    /// <param name="fencingToken">The controller's: the release changes only while its lease still holds this token.</param>
    public async Task<ReleaseRefusal?> ChangeReleaseAsync(
        RolloutView view, string action, int? weight, string reason, RolloutEvaluation? evaluation, string actor, CancellationToken cancellationToken, long? expectedReleaseRevision = null,
        long? rolloutRevision = null, long? fencingToken = null)
    {
        // A step only moves the weight of the canary serving: never a new start.
        var change = new ReleaseChange(action, action == ActivationActions.CanaryStart ? view.Candidate : null, weight, reason, expectedReleaseRevision, RolloutEvidence.For(view, evaluation, actor),
            RolloutRevision: rolloutRevision, FencingToken: fencingToken, CanaryMustServe: action == ActivationActions.CanaryStart);
        var (_, refusal) = await releases.ApplyAsync(view.Prompt, view.Environment, change, actor, cancellationToken);
        return refusal;
    }

    private static string StepReason(RolloutView view, ValidatedRolloutPlan plan, string? reason)
    {
        var step = plan.Steps[view.Step];
        var what = step.Shadow
            // The share as stored (basis points), written as the weights are: "shadow 12.5%", not P0's "shadow 13 %".
            ? string.Create(CultureInfo.InvariantCulture, $"shadow {step.ShadowShareBps / 100.0}%")
            : string.Create(CultureInfo.InvariantCulture, $"{step.WeightBps / 100.0}%");
        return string.Create(CultureInfo.InvariantCulture, $"rollout step {view.Step + 1}/{plan.Steps.Count} ({what})") + (reason is null ? "" : ": " + reason);
    }
}
