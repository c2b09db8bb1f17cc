namespace LlmGateway.Cli.Http;

/// <summary><c>{"error":{…}}</c>, the body of every error the gateway answers itself.</summary>
internal sealed record ApiErrorEnvelope(ApiError? Error);
