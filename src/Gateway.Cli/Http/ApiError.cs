namespace LlmGateway.Cli.Http;

/// <summary>The gateway's OpenAI-shaped error, <c>{"message","type","param","code","errors"?}</c>.</summary>
internal sealed record ApiError(string? Message, string? Type, string? Param, string? Code, IReadOnlyList<ApiFieldError>? Errors);
