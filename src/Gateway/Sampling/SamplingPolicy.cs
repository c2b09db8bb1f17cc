using LlmGateway.Auth;
using LlmGateway.Behaviour;
using LlmGateway.Providers;
using LlmGateway.Routing;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// Decides, when a request starts, whether it is sampled: forced by a <c>debug</c> key, else the
/// gateway's own draw (<see cref="SampleDraw"/>: nothing the client sends, so a client that picks its
/// <c>X-Request-Id</c> cannot pick a sampled one) under the arm's rate (the release's policy, else the
/// configured default; while a rollout runs, at least its plan's rate for the arm), else a floor slot
/// if one has come due at the arm's hourly floor (paced over the hour). No I/O and, when not sampled,
/// no allocation: nothing here can delay a request. The online judge's own calls are never sampled.
/// </summary>
/// <param name="onlineEval">The online judge's settings: its key (<c>Judge:ApiKey</c>), whose calls are never sampled.</param>
internal sealed class SamplingPolicy(
    IOptionsMonitor<SamplingOptions> options, SampleFloorTracker floors, SampleDraw draw, GatewayMetrics metrics, IOptions<OnlineEvalOptions>? onlineEval = null)
{
    // The judge's configured secret and its key's id: hashed once per secret, not per request.
    private Tuple<string, string>? _judgeKey;

    public SamplingDecision Decide(HttpRequest request, GatewayKey key, CatalogModel model, PromptSelection? prompt)
    {
        var settings = options.CurrentValue;
        if (!settings.Enabled)
        {
            return SamplingDecision.Skip;
        }

        var decision = DecideCore(settings, request, key, model, prompt);
        if (decision.Sampled)
        {
            metrics.SamplesTaken.Add(1, new KeyValuePair<string, object?>("reason", decision.Reason));
        }

        return decision;
    }

    private SamplingDecision DecideCore(SamplingOptions settings, HttpRequest request, GatewayKey key, CatalogModel model, PromptSelection? prompt)
    {
        if (IsJudgeCall(request, key))
        {
            // The online judge's call holds the live answer it grades and the rubric: sampled, it was a second copy of
            // user content in listings and exports, and took sample-queue room the rollouts' samples share, for a
            // sample the evaluator skips (it names no prompt). Not even a debug key's forcing samples it.
            return SamplingDecision.Skip;
        }

        if (IsForced(settings, request, key))
        {
            // Not towards the arm's floor: the floor feeds the behaviour series, which leave forced samples out.
            return new(SampleReasons.Forced);
        }

        if (prompt is { ShadowVersion: not null } or { Variant: Variants.Shadow })
        {
            Count(settings, prompt);
            return new(SampleReasons.Shadow);
        }

        if (prompt is null)
        {
            return draw.Hits(PlainRate(settings, key, model)) ? new(SampleReasons.Rate) : SamplingDecision.Skip;
        }

        var policy = prompt.Sampling;
        // A running rollout samples each arm at least at its plan's rate, so the readings it is judged on come by themselves.
        var rollout = prompt.RolloutSampling;
        var rate = prompt.Variant switch
        {
            Variants.Canary => Math.Max(policy?.Canary ?? settings.CanaryRate, rollout?.Canary ?? 0),
            Variants.Pinned => settings.PinnedRate,
            _ => Math.Max(policy?.Stable ?? settings.StableRate, rollout?.Stable ?? 0),
        };
        if (draw.Hits(rate))
        {
            Count(settings, prompt);
            return new(SampleReasons.Rate);
        }

        var floor = Floor(settings, prompt);
        return floor > 0 && floors.TryTakeFloorSlot(ArmKey(prompt), floor) ? new(SampleReasons.Floor) : SamplingDecision.Skip;
    }

    private void Count(SamplingOptions settings, PromptSelection prompt) => floors.Count(ArmKey(prompt), Floor(settings, prompt));

    // Pinned requests are evaluation runs: no floor tops them up.
    private static int Floor(SamplingOptions settings, PromptSelection prompt) =>
        prompt.Variant == Variants.Pinned ? 0 : prompt.Sampling?.FloorPerHour ?? settings.FloorPerHour;

    /// <summary>
    /// The judge's call: marked in process (<see cref="OnlineJudgeCall"/>, which no request from the network can carry),
    /// or made over HTTP (<c>Judge:BaseUrl</c>) under the judge's own key, when this gateway is configured with it. Never
    /// by the <c>user</c> the judge sends: any client can send that.
    /// </summary>
    private bool IsJudgeCall(HttpRequest request, GatewayKey key)
    {
        if (request.HttpContext.Features.Get<OnlineJudgeCall>() is not null)
        {
            return true;
        }

        if (onlineEval?.Value.Judge.ApiKey is not { Length: > 0 } secret)
        {
            return false;
        }

        var judge = _judgeKey;
        if (judge is null || !ReferenceEquals(judge.Item1, secret))
        {
            judge = Tuple.Create(secret, GatewayKeySecret.IdFromHash(GatewayKeySecret.Hash(secret)));
            _judgeKey = judge;
        }

        return string.Equals(key.Id, judge.Item2, StringComparison.Ordinal);
    }

    private static bool IsForced(SamplingOptions settings, HttpRequest request, GatewayKey key) =>
        request.Headers.TryGetValue(settings.ForceHeader, out var value)
        && (value.ToString() is "1" || string.Equals(value.ToString(), "true", StringComparison.OrdinalIgnoreCase))
        && key.Has(GatewayKeyPermissions.Debug);

    private static double PlainRate(SamplingOptions settings, GatewayKey key, CatalogModel model) => Math.Max(
        settings.PlainRate,
        Math.Max(settings.Models.GetValueOrDefault(model.Name), settings.Keys.GetValueOrDefault(key.Id)));

    public static string ArmKey(PromptSelection prompt) => prompt.Bundle.ArmKey(prompt.Variant);
}
