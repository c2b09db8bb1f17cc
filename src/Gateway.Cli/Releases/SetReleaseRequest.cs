namespace LlmGateway.Cli.Releases;

/// <summary>Body of <c>PUT …/releases/{env}</c>.</summary>
internal sealed record SetReleaseRequest(int Version, string? Reason, long? Revision);
