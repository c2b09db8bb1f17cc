namespace LlmGateway.Cli.Keys;

/// <summary>Body of <c>POST /admin/v1/keys</c>.</summary>
internal sealed record CreateKeyRequest(string App, string Environment, IReadOnlyList<string> Permissions);
