namespace LlmGateway.Cli.Http;

/// <summary>One entry of <c>error.errors[]</c>: a bundle field that failed validation.</summary>
internal sealed record ApiFieldError(string? Field, string? Message);
