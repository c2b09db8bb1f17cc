namespace LlmGateway.Cli.Releases;

/// <summary>Body of <c>promote</c> and <c>rollback</c>.</summary>
internal sealed record ReleaseActionRequest(string? Reason, long? Revision);
