using System.Security.Cryptography;
using System.Text.Json;
using LlmGateway.Contracts.Releases;
using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Rewriting;
using LlmGateway.Serialization;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace LlmGateway.Releases;

/// <summary>
/// Changes releases. Every change is a compare-and-swap on the stored value, so of many
/// concurrent writers exactly one wins each revision, and the history event is written in the
/// same atomic step as the release it describes. Each committed change is counted on
/// <c>gateway.release.activations</c> (refusals and lost swaps are not).
/// </summary>
internal sealed class ReleaseService(
    GatewayStore store,
    PromptRegistry registry,
    PreparedBundleCache bundles,
    IReleaseEvalGate evalGate,
    ChangeNotifier notifier,
    GatewayMetrics metrics,
    IOptions<ReleaseOptions> options,
    TimeProvider time,
    ILogger<ReleaseService> logger)
{
    // KEYS: release, logged, history, env history, envs, rollout, rollout lease. ARGV: expected value ('' = none), new
    // value, event, score, env, the rollout's expected revision ('' = not a rollout controller's change), the
    // controller's fencing token ('' = none; the lease holds "holder|token").
    private const string CompareAndSwapScript = """
        local current = redis.call('GET', KEYS[1])
        if (current or '') ~= ARGV[1] then return 0 end
        if ARGV[6] ~= '' and tonumber(redis.call('HGET', KEYS[6], 'revision') or '0') ~= tonumber(ARGV[6]) then return 0 end
        if ARGV[7] ~= '' then
          local lease = redis.call('GET', KEYS[7])
          if not lease then return 0 end
          local bar = string.find(lease, '|', 1, true)
          if not bar or string.sub(lease, bar + 1) ~= ARGV[7] then return 0 end
        end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], ARGV[2])
        redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3])
        redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
        redis.call('SADD', KEYS[5], ARGV[5])
        return 1
        """;

    private const string EvidenceEvalRun = "eval_run";

    private const string EvidenceVerdict = "verdict";
    private const string EvidenceEvalCalls = "eval_calls";

    private readonly ReleaseOptions _options = options.Value;

    public async Task<(ReleaseRecord? Release, ReleaseRefusal? Refusal)> GetAsync(string prompt, string environment)
    {
        if (await CheckAddressAsync(prompt, environment) is { } refusal)
        {
            return (null, refusal);
        }

        var raw = await store.Database.StringGetAsync(store.Keys.Release(prompt, environment));
        if (raw.IsNull)
        {
            return (null, ReleaseRefusal.NotFound("release_not_found", $"'{prompt}' has no release in '{environment}' yet."));
        }

        if (!ReleaseJson.TryParse(raw!, out var record) || record is null)
        {
            return (null, ReleaseRefusal.Conflict("invalid_release", $"The stored release is not a valid release record (it was written directly); set a version to repair it. Value: {Truncate(raw!)}"));
        }

        // Every instance ignores a release naming a version never pushed (a value written by hand): it is not in force.
        return await registry.MissingVersionAsync(prompt, record) is { } missing
            ? (null, ReleaseRefusal.Conflict("invalid_release", $"The stored release names v{missing}, which '{prompt}' does not have (it was written directly), so no instance serves it; set a version to repair it. Value: {Truncate(raw!)}"))
            : (record, null);
    }

    public async Task<(ReleaseRecord? Release, ReleaseRefusal? Refusal)> ApplyAsync(string prompt, string environment, ReleaseChange change, string actor, CancellationToken cancellationToken)
    {
        if (await CheckAddressAsync(prompt, environment) is { } addressRefusal)
        {
            return (null, addressRefusal);
        }

        var keys = store.Keys;
        var raw = await store.Database.StringGetAsync(keys.Release(prompt, environment));
        // An unreadable value (a bad raw write) has no baseline, but the swap still checks its exact bytes. Nor has one
        // naming a version never pushed (every instance ignores it): a `release set` repairs it, and its versions never
        // become previous_stable. Its revision still counts on.
        var stored = !raw.IsNull && ReleaseJson.TryParse(raw!, out var parsed) ? parsed : null;
        var serves = stored is not null && await registry.MissingVersionAsync(prompt, stored) is null;
        // A value every instance ignores (not valid JSON, or naming a version never pushed) replaced the last good one,
        // which they still serve: the repair starts from that (its stable, salt and sampling, so rollback and the split's
        // buckets survive), and the revision counts on from the higher of the two, never back to 1 (a client holding an
        // old revision would pass the swap again).
        var lastGood = !raw.IsNull && !serves ? await LastGoodAsync(prompt, environment) : null;
        var revision = Math.Max(stored?.Revision ?? 0, lastGood?.Revision ?? 0);
        var current = serves ? stored
            : lastGood is not null && await registry.MissingVersionAsync(prompt, lastGood) is null ? lastGood
            : null;
        if (change.ExpectedRevision is { } expected && expected != revision)
        {
            return (null, ReleaseRefusal.Conflict("revision_conflict", $"The release is at revision {revision}, not {expected}. Re-read it and retry."));
        }

        var (next, action, refusal, evalRun) = await DecideAsync(prompt, environment, current, change, cancellationToken);
        if (refusal is not null)
        {
            return (null, refusal);
        }

        var now = change.At ?? time.GetUtcNow();
        next = next! with { Revision = revision + 1, UpdatedAt = now, Actor = actor };
        if (action != ActivationActions.SamplingSet)
        {
            // A sampling edit keeps who moved the traffic, and when: the rollout controller reads them (its catch-up, a
            // step's clock), and an edit made while a rollout waits for samples must not pass for a change of its step.
            next = next with { RoutedAt = now, RoutedBy = actor };
        }
        else if (next.RoutedAt is null && current is not null)
        {
            // A release stored before these fields: its last change, whatever it was, stands for the routing's.
            next = next with { RoutedAt = current.UpdatedAt, RoutedBy = current.Actor };
        }

        var activation = new ActivationEvent
        {
            Id = ActivationEvents.NewId(now),
            At = now,
            Prompt = prompt,
            Environment = environment,
            Action = action!,
            Actor = actor,
            Reason = change.Reason,
            // The version the action routes to: a client's `version` on a rollback, promote, abort or sampling edit
            // is not what changed, and would be recorded and counted as if it were.
            Version = action is ActivationActions.ReleaseSet or ActivationActions.CanaryStart or ActivationActions.CanaryWeight ? change.Version : next.Stable,
            Before = stored,
            After = next,
            Evidence = WithEvalRun(change.Evidence, evalRun),
        };

        var nextJson = ReleaseJson.Serialize(next);
        var swapped = (int)await store.Database.ScriptEvaluateAsync(
            CompareAndSwapScript,
            [keys.Release(prompt, environment), keys.ReleaseLogged(prompt, environment), keys.History(prompt), keys.EnvironmentHistory(prompt, environment), keys.ReleaseEnvironments(prompt), keys.Rollout(prompt, environment),
             keys.RolloutLease(prompt, environment)],
            [raw.IsNull ? "" : raw, nextJson, JsonSerializer.Serialize(activation, GatewayJsonContext.Default.ActivationEvent), now.ToUnixTimeMilliseconds(), environment,
             change.RolloutRevision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
             change.FencingToken?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ""]);
        if (swapped == 0)
        {
            return (null, ReleaseRefusal.Conflict("revision_conflict", "The release was changed concurrently. Re-read it and retry."));
        }

        metrics.RecordActivation(activation);
        await notifier.PublishReleaseChangedAsync(prompt, environment);
        // The prompt index is its own key (another slot on a cluster), added after a push's script: a push whose script
        // landed and whose index write failed would leave a prompt every instance's release sync skips. A release
        // change puts it back (idempotent); best effort, after the change is in force and announced: a failure here
        // must not answer 500 for a change that took effect.
        try
        {
            await store.Database.SetAddAsync(keys.PromptIndex, prompt);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            ReleaseLog.PromptIndexRepairFailed(logger, prompt, ex.GetType().Name);
        }

        return (next, null);
    }

    /// <summary>The release value last written to history (by the API or a readable raw write), if it reads.</summary>
    private async Task<ReleaseRecord?> LastGoodAsync(string prompt, string environment)
    {
        var logged = await store.Database.StringGetAsync(store.Keys.ReleaseLogged(prompt, environment));
        return !logged.IsNullOrEmpty && ReleaseJson.TryParse(logged!, out var record) ? record : null;
    }

    /// <returns>The next release and its action, or the refusal; <c>EvalRun</c> names the passing run the evaluation gate admitted it on.</returns>
    private async Task<(ReleaseRecord? Next, string? Action, ReleaseRefusal? Refusal, EvalGateDecision? EvalRun)> DecideAsync(
        string prompt, string environment, ReleaseRecord? current, ReleaseChange change, CancellationToken cancellationToken)
    {
        var baseline = current ?? new ReleaseRecord { Salt = NewSalt() };
        switch (change.Action)
        {
            case ActivationActions.ReleaseSet:
            {
                var (refusal, evalRun) = await CheckEligibleAsync(prompt, environment, change.Version, cancellationToken);
                if (refusal is not null)
                {
                    return (null, null, refusal, null);
                }

                var previous = baseline.Stable == change.Version ? baseline.PreviousStable : baseline.Stable;
                return (baseline with { Stable = change.Version, Canary = null, CanaryWeight = 0, ShadowShare = 0, RolloutSampling = null, PreviousStable = previous }, ActivationActions.ReleaseSet, null, evalRun);
            }

            case ActivationActions.CanaryStart:
            {
                if (change.Weight is not (>= 0 and <= 10_000))
                {
                    return (null, null, ReleaseRefusal.Invalid("'weight' is required: basis points from 0 to 10000 (1000 = 10%).", "weight"), null);
                }

                if (change.ShadowShare is < 0 or > 10_000 || (change.ShadowShare > 0 && change.Weight != 0))
                {
                    return (null, null, ReleaseRefusal.Invalid("'shadow_share' is basis points from 0 to 10000, with a canary weight of 0 (no user sees a shadowed version).", "shadow_share"), null);
                }

                if (baseline.Stable is null)
                {
                    return (null, null, ReleaseRefusal.Conflict("no_stable", $"'{prompt}' has no stable version in '{environment}'; set one before starting a canary."), null);
                }

                if (change.CanaryMustServe && baseline.Canary != change.Version)
                {
                    // A rollout's next step over a release whose canary was taken away (a rollback written by hand keeps
                    // the revision it copied): the step must not bring it back.
                    return (null, null, ReleaseRefusal.Conflict("canary_gone", $"v{change.Version} is no longer the canary of '{prompt}' in '{environment}'; the rollout's step is not taken."), null);
                }

                if (change.Version == baseline.Stable)
                {
                    return (null, null, ReleaseRefusal.Invalid($"v{change.Version} is already the stable version.", "version"), null);
                }

                var (refusal, evalRun) = await CheckEligibleAsync(prompt, environment, change.Version, cancellationToken);
                if (refusal is not null)
                {
                    return (null, null, refusal, null);
                }

                var action = baseline.Canary == change.Version ? ActivationActions.CanaryWeight : ActivationActions.CanaryStart;
                // The rollout's rates belong to its canary: a rollout's start sets them, its steps (and a weight set by
                // hand on the same canary) keep them, and a canary started by hand has none.
                var rolloutSampling = change.RolloutSampling ?? (action == ActivationActions.CanaryWeight ? baseline.RolloutSampling : null);
                return (baseline with { Canary = change.Version, CanaryWeight = change.Weight.Value, ShadowShare = change.ShadowShare, RolloutSampling = rolloutSampling }, action, null, evalRun);
            }

            case ActivationActions.Promote:
            {
                if (baseline.Canary is not { } canary)
                {
                    return (null, null, ReleaseRefusal.Conflict("no_canary", $"'{prompt}' has no canary in '{environment}' to promote."), null);
                }

                // Checked again, as every canary weight is: a run recorded since the canary started may have failed (the
                // newest decides), and promoting puts the version in front of everyone.
                var (refusal, evalRun) = await CheckEligibleAsync(prompt, environment, canary, cancellationToken);
                return refusal is not null
                    ? (null, null, refusal, null)
                    : (baseline with { Stable = canary, PreviousStable = baseline.Stable, Canary = null, CanaryWeight = 0, ShadowShare = 0, RolloutSampling = null }, ActivationActions.Promote, null, evalRun);
            }

            case ActivationActions.Rollback:
            {
                if (baseline.PreviousStable is not { } previous)
                {
                    return (null, null, ReleaseRefusal.Conflict("nothing_to_roll_back", $"'{prompt}' has no previous stable version in '{environment}'."), null);
                }

                // No other check stands between a rollback and the previous stable, but it must still be servable.
                if (await UnservableAsync(prompt, previous) is { } unservable)
                {
                    return (null, null, unservable, null);
                }

                // previous_stable is cleared: a second rollback must not put the bad version back.
                return (baseline with { Stable = previous, PreviousStable = null, Canary = null, CanaryWeight = 0, ShadowShare = 0, RolloutSampling = null }, ActivationActions.Rollback, null, null);
            }

            case ActivationActions.Abort:
                return baseline.Canary is null
                    ? (null, null, ReleaseRefusal.Conflict("no_canary", $"'{prompt}' has no canary in '{environment}' to abort."), null)
                    : (baseline with { Canary = null, CanaryWeight = 0, ShadowShare = 0, RolloutSampling = null }, ActivationActions.Abort, null, null);

            case ActivationActions.SamplingSet:
                return current is null
                    ? (null, null, ReleaseRefusal.Conflict("no_release", $"'{prompt}' has no release in '{environment}'; set one before its sampling policy."), null)
                    : (baseline with { Sampling = change.Sampling }, ActivationActions.SamplingSet, null, null);

            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.Action, "Unknown release action.");
        }
    }

    /// <returns>The refusal, or none; when the evaluation gate admitted the version on a passing run, that run's id.</returns>
    private async Task<(ReleaseRefusal? Refusal, EvalGateDecision? EvalRun)> CheckEligibleAsync(string prompt, string environment, int? version, CancellationToken cancellationToken)
    {
        if (version is not > 0)
        {
            return (ReleaseRefusal.Invalid("'version' is required: a pushed version number.", "version"), null);
        }

        (PromptBundle Bundle, PromptVersionStatus Status)? stored;
        try
        {
            stored = await registry.GetAsync(prompt, version.Value);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
        {
            // A record that does not read: no instance could serve it either.
            return (ReleaseRefusal.Unservable(prompt, version.Value, $"it cannot be read ({ex.GetType().Name})"), null);
        }

        if (stored is not { } found)
        {
            return (ReleaseRefusal.NotFound("version_not_found", $"'{prompt}' has no version {version}.", "version"), null);
        }

        if (await UnservableAsync(prompt, version.Value) is { } unservable)
        {
            return (unservable, null);
        }

        if (!_options.IsProtected(environment))
        {
            return (null, null);
        }

        if (!found.Status.IsApproved)
        {
            return (ReleaseRefusal.Forbidden("not_approved", $"'{environment}' is protected: {prompt} v{version} must be approved by someone other than its author first."), null);
        }

        var decision = await evalGate.CheckAsync(found.Bundle, environment, cancellationToken);
        return decision.Refusal is { } reason
            ? (ReleaseRefusal.Forbidden("eval_gate_required", reason), null)
            : (null, decision.RunId is null ? null : decision);
    }

    /// <summary>
    /// A version the gateways could not prepare (its model gone from the catalog since it was pushed): every instance
    /// would ignore the release and keep the old value, and one started later would have none, so it is refused here.
    /// </summary>
    private async Task<ReleaseRefusal?> UnservableAsync(string prompt, int version)
    {
        string? problem;
        try
        {
            problem = await bundles.ProblemAsync(prompt, version);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StackExchange.Redis.RedisException or TimeoutException))
        {
            // As the instances would find it: a bundle that cannot be read (they ignore the release that names it).
            problem = $"it cannot be read ({ex.GetType().Name})";
        }

        return problem is null ? null : ReleaseRefusal.Unservable(prompt, version, problem);
    }

    /// <summary>
    /// The event's evidence: the caller's object with <c>eval_run</c> (the passing run's id), <c>verdict</c>
    /// (<c>pass</c>) and <c>eval_calls</c> (its call counts per side) added when the evaluation gate admitted the
    /// version. Those are the gate's facts, so they replace same-named fields of the caller's; every other field is
    /// kept as given.
    /// </summary>
    internal static JsonElement? WithEvalRun(JsonElement? evidence, EvalGateDecision? admission)
    {
        if (admission?.RunId is not { } evalRun)
        {
            return evidence;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (evidence is { ValueKind: JsonValueKind.Object } given)
            {
                foreach (var field in given.EnumerateObject())
                {
                    if (field.Name is not (EvidenceEvalRun or EvidenceVerdict or EvidenceEvalCalls))
                    {
                        field.WriteTo(writer);
                    }
                }
            }

            writer.WriteString(EvidenceEvalRun, evalRun);
            writer.WriteString(EvidenceVerdict, EvalRunVerdicts.Pass);
            if (admission.Calls is { } calls)
            {
                writer.WritePropertyName(EvidenceEvalCalls);
                JsonSerializer.Serialize(writer, calls, GatewayJsonContext.Default.EvalRunCalls);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private async Task<ReleaseRefusal?> CheckAddressAsync(string prompt, string environment)
    {
        if (!_options.IsKnown(environment))
        {
            return ReleaseRefusal.NotFound("environment_not_found", $"'{environment}' is not a configured environment ({string.Join(", ", _options.Environments)}).", "environment");
        }

        return await store.Database.KeyExistsAsync(store.Keys.PromptSequence(prompt))
            ? null
            : ReleaseRefusal.NotFound("prompt_not_found", $"No prompt is named '{prompt}'.", "name");
    }

    private static string Truncate(string value) => value.Length <= 200 ? value : value[..200] + "…";

    private static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
}
