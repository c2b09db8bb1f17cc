namespace LlmGateway.Cli.Keys;

/// <summary>A gateway key as listed: never its secret.</summary>
internal sealed record GatewayKeyRecord(
    string Id,
    string? App,
    string? Environment,
    IReadOnlyList<string>? Permissions,
    DateTimeOffset? CreatedAt);
