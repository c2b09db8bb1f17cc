using System.Globalization;
using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Releases;
using LlmGateway.Rewriting;
using LlmGateway.Shadow;
using Microsoft.Extensions.Options;

namespace LlmGateway.Routing;

/// <summary>
/// Decides which bundle version serves a <c>prompt:&lt;name&gt;</c> request: a permitted pin, else
/// the release of the caller's environment split stably/canary by the sticky bucket. It reads the
/// snapshot once, so a release change never affects a request already in flight. In a protected
/// environment a pin serves only an approved version (<see cref="PinApprovals"/>).
/// </summary>
internal sealed class PromptRouter(ReleaseSnapshotProvider snapshots, PreparedBundleCache bundles, PinApprovals approvals, IOptions<ShadowOptions> shadowOptions)
{
    // The operator's cap on every plan's shadow share, in basis points (0: shadow traffic is off).
    private readonly int _maxShadowShareBps = shadowOptions.Value.Enabled ? (int)Math.Round(shadowOptions.Value.MaxShare * 10_000) : 0;

    /// <summary>The prompt name of a <c>prompt:</c> model: a known prompt's own string, else a copy.</summary>
    public string PromptName(ReadOnlySpan<char> name) => snapshots.Current.KnownPrompt(name) ?? new string(name);

    public async ValueTask<(PromptSelection? Selection, GatewayError? Error)> SelectAsync(HttpRequest request, GatewayKey key, string prompt, string? bodyUser)
    {
        var snapshot = snapshots.Current;
        if (key.IsShadow)
        {
            var shadowCall = ShadowOf(request, key, prompt, snapshot);
            return shadowCall is not null ? (shadowCall, null) : (null, ShadowEnded(prompt, key.Environment));
        }

        var pin = request.Headers[PromptHeaders.PinVersion].ToString();
        if (pin.Length > 0)
        {
            return await PinAsync(key, prompt, pin, snapshot);
        }

        if (!snapshot.TryGet(prompt, key.Environment, out var release) || release.Stable is null)
        {
            return (null, snapshot.HasPrompt(prompt)
                ? GatewayError.NotFound($"The prompt '{ClientEcho.Cut(prompt)}' has no release in the '{key.Environment}' environment.", "model", "release_not_found")
                : PromptNotFound(prompt));
        }

        var stickiness = StickinessKey(request, bodyUser, key);
        var record = release.Record;
        var canary = release.Canary is not null && VariantSelector.IsCanary(record.Salt, prompt, stickiness, record.CanaryWeight);
        // A rollout's rates only while its canary serves users (a record written by hand may keep them without one). Not
        // in a shadow step: it is judged on the shadow pairs, which are always sampled, not on the stable arm's samples.
        var rolloutSampling = release.Canary is not null && record.CanaryWeight > 0 ? record.RolloutSampling : null;
        if (canary)
        {
            return (new PromptSelection(release.Canary!, Variants.Canary, key.Environment, record.Sampling, RolloutSampling: rolloutSampling, Stickiness: stickiness, Salt: record.Salt), null);
        }

        // A shadow step: the canary has no weight, and a share of stable requests is copied to it after they are answered.
        var shadow = release.Canary is not null && record.CanaryWeight == 0 && record.ShadowShare > 0
            && Random.Shared.Next(10_000) < Math.Min(record.ShadowShare, _maxShadowShareBps);
        // The unit only while a canary serves (its arms' units are what a rollout counts): a prompt without one writes no
        // unit counters.
        var armed = release.Canary is not null && record.CanaryWeight > 0;
        return (new PromptSelection(release.Stable, Variants.Stable, key.Environment, record.Sampling, shadow ? release.Canary!.Version : null, RolloutSampling: rolloutSampling,
            Stickiness: armed ? stickiness : null, Salt: armed ? record.Salt : null), null);
    }

    /// <summary>
    /// The stable version of the release whose candidate (canary or shadow) <paramref name="candidate"/> is, as the
    /// snapshot holds it now; null when that release no longer has this candidate.
    /// </summary>
    public PreparedBundle? StableOf(PromptSelection candidate) =>
        candidate.Variant is Variants.Canary or Variants.Shadow
        && snapshots.Current.TryGet(candidate.Bundle.Name, candidate.Environment, out var release)
        && release.Canary?.Version == candidate.Bundle.Version
            ? release.Stable
            : null;

    /// <summary>
    /// A shadow call: the candidate of the caller's environment while its release is in a shadow step with the stable
    /// version and candidate the copy was made for. A copy that waited in the queue across a release change (an abort,
    /// another stable version, another candidate) is not sent: paired with an answer of another stable version, it
    /// would move the new rollout's paired readings.
    /// </summary>
    private static PromptSelection? ShadowOf(HttpRequest request, GatewayKey key, string prompt, ReleaseSnapshot snapshot) =>
        snapshot.TryGet(prompt, key.Environment, out var release) && release.Canary is { } candidate
        && release.Record.CanaryWeight == 0 && release.Record.ShadowShare > 0
        && request.HttpContext.Features.Get<ShadowCopy>() is { } copy
        && copy.StableVersion == release.Stable?.Version && copy.CandidateVersion == candidate.Version
            ? new PromptSelection(candidate, Variants.Shadow, key.Environment, release.Record.Sampling, PairedWith: copy.PairedWith)
            : null;

    private static GatewayError ShadowEnded(string prompt, string environment) => new(StatusCodes.Status409Conflict, new OpenAiError(
        $"'{prompt}' is not in a shadow step in '{environment}' any more.", "invalid_request_error", "model", "shadow_ended"));

    /// <summary>X-Session-Id, else the body's <c>user</c>, else the gateway key's id: the first present.</summary>
    public static string StickinessKey(HttpRequest request, string? bodyUser, GatewayKey key)
    {
        var session = request.Headers[PromptHeaders.SessionId].ToString();
        return session.Length > 0 ? session : !string.IsNullOrEmpty(bodyUser) ? bodyUser : key.Id;
    }

    private async ValueTask<(PromptSelection?, GatewayError?)> PinAsync(GatewayKey key, string prompt, string pin, ReleaseSnapshot snapshot)
    {
        if (!key.Has(GatewayKeyPermissions.Pin))
        {
            return (null, new GatewayError(StatusCodes.Status403Forbidden, new OpenAiError(
                $"This key may not pin prompt versions ({PromptHeaders.PinVersion}); it needs the 'pin' permission.", "permission_error", PromptHeaders.PinVersion, "pin_not_permitted")));
        }

        if (!int.TryParse(pin, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            return (null, GatewayError.InvalidRequest($"{PromptHeaders.PinVersion} must be a version number, not '{ClientEcho.Cut(pin)}'.", PromptHeaders.PinVersion, "invalid_value"));
        }

        // Straight to the (immutable, cached) bundle: an evaluation run pins a version it has just
        // pushed, possibly before the snapshot has heard of the prompt.
        // A version the environment's release serves is used as the release holds it: its render memo shared, and no
        // store read even when the bundle cache has started over meanwhile.
        var bundle = snapshot.TryGet(prompt, key.Environment, out var release) ? release.Serving(version) : null;
        // In a protected environment a version the release does not serve is checked for approval before it is read
        // and prepared: a pin key cycling through drafts would otherwise have each parsed and cached before its 403.
        var checkedFirst = bundle is null && approvals.RequiresApproval(key.Environment);
        if (checkedFirst && await RefusalInEnvironmentAsync(key.Environment, prompt, version) is { } unapproved)
        {
            return (null, unapproved);
        }

        string? problem = null;
        try
        {
            if (bundle is null)
            {
                (bundle, problem) = await bundles.GetAsync(prompt, version);
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // A pinned version not yet cached needs the store; without it, say so rather than fail.
            return (null, new GatewayError(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
                $"Version {version} of '{prompt}' is not cached here and the store is unreachable. Retry shortly.", "api_error", PromptHeaders.PinVersion, "store_unavailable")));
        }

        if (bundle is not null)
        {
            return !checkedFirst && await RefusalInEnvironmentAsync(key.Environment, prompt, version) is { } refusal
                ? (null, refusal)
                : (new PromptSelection(bundle, Variants.Pinned, key.Environment), null);
        }

        return (null, snapshot.HasPrompt(prompt) || problem is not null && !problem.EndsWith("does not exist", StringComparison.Ordinal)
            ? GatewayError.NotFound($"The prompt '{ClientEcho.Cut(prompt)}' cannot serve version {version}: {problem}.", PromptHeaders.PinVersion, "version_not_found")
            : PromptNotFound(prompt));
    }

    /// <returns>Null when the version may serve in this environment, else why not.</returns>
    private async ValueTask<GatewayError?> RefusalInEnvironmentAsync(string environment, string prompt, int version)
    {
        if (!approvals.RequiresApproval(environment))
        {
            return null;
        }

        bool approved;
        try
        {
            approved = await approvals.IsApprovedAsync(prompt, version);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Fail closed: without the store the version's review state is unknown.
            return new GatewayError(StatusCodes.Status503ServiceUnavailable, new OpenAiError(
                $"The review state of version {version} of '{prompt}' cannot be read: the store is unreachable. Retry shortly.", "api_error", PromptHeaders.PinVersion, "store_unavailable"));
        }

        return approved ? null : new GatewayError(StatusCodes.Status403Forbidden, new OpenAiError(
            $"Version {version} of '{prompt}' is not approved, and the '{environment}' environment is protected: a pin there serves only approved versions. Evaluate drafts with a key of a non-protected environment.",
            "permission_error", PromptHeaders.PinVersion, "version_not_approved"));
    }

    private static GatewayError PromptNotFound(string prompt) =>
        GatewayError.NotFound($"No prompt is named '{ClientEcho.Cut(prompt)}'.", "model", "prompt_not_found");
}
