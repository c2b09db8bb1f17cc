using System.Text.Json;

namespace LlmGateway.Cli.Prompts;

/// <summary>A bundle's metadata, as listed by <c>GET /admin/v1/prompts/{name}</c> and returned by push and approve.</summary>
internal sealed record BundleSummary(
    string? Id,
    string? Name,
    int? Version,
    string? Label,
    string? Message,
    string? Author,
    DateTimeOffset? CreatedAt,
    // A version number by the contract; kept as JSON so an id or null reads just as well.
    JsonElement? Parent,
    string? Status,
    string? ApprovedBy,
    DateTimeOffset? ApprovedAt,
    // Only in GET /admin/v1/prompts/{name}, and only for versions with a recorded run.
    EvalSummary? LatestEval = null);
