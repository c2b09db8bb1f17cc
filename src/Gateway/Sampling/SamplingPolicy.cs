using LlmGateway.Auth;
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
/// no allocation: nothing here can delay a request.
/// </summary>
internal sealed class SamplingPolicy(IOptionsMonitor<SamplingOptions> options, SampleFloorTracker floors, SampleDraw draw, GatewayMetrics metrics)
{
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

    private static bool IsForced(SamplingOptions settings, HttpRequest request, GatewayKey key) =>
        request.Headers.TryGetValue(settings.ForceHeader, out var value)
        && (value.ToString() is "1" || string.Equals(value.ToString(), "true", StringComparison.OrdinalIgnoreCase))
        && key.Has(GatewayKeyPermissions.Debug);

    private static double PlainRate(SamplingOptions settings, GatewayKey key, CatalogModel model) => Math.Max(
        settings.PlainRate,
        Math.Max(settings.Models.GetValueOrDefault(model.Name), settings.Keys.GetValueOrDefault(key.Id)));

    public static string ArmKey(PromptSelection prompt) => prompt.Bundle.ArmKey(prompt.Variant);
}
