using LlmGateway.Contracts.Releases;

namespace LlmGateway.Releases;

/// <summary>The gateway's check of a <see cref="ReleaseSampling"/> policy, applied to requests and to stored releases.</summary>
internal static class ReleaseSamplingRules
{
    /// <summary>The first problem with the values, or null when they are usable.</summary>
    public static (string Message, string Field)? Problem(this ReleaseSampling sampling) =>
        sampling.Stable is < 0 or > 1 || double.IsNaN(sampling.Stable ?? 0) ? ("'stable' must be a rate from 0 to 1.", "sampling.stable")
        : sampling.Canary is < 0 or > 1 || double.IsNaN(sampling.Canary ?? 0) ? ("'canary' must be a rate from 0 to 1.", "sampling.canary")
        : sampling.FloorPerHour is < 0 or > 100_000 ? ("'floor_per_hour' must be from 0 to 100000.", "sampling.floor_per_hour")
        : null;
}
