namespace LlmGateway.Cli.Prompts;

/// <summary>Body of <c>POST …/versions/{version}/approve</c>; the reason is optional.</summary>
internal sealed record ApproveRequest(string? Reason);
