namespace LlmGateway.Cli.Releases;

/// <summary>
/// A release's own sampling policy (<c>sampling</c> in the release and in <c>PUT …/sampling</c>): the share
/// of each arm's requests kept as samples, as fractions from 0 to 1, and at least <see cref="FloorPerHour"/>
/// samples per arm per hour. A field left out follows the gateway's configured default.
/// </summary>
internal sealed record SamplingPolicy(decimal? Stable, decimal? Canary, int? FloorPerHour);
