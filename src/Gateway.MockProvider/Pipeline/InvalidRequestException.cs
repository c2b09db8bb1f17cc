namespace LlmGateway.MockProvider.Pipeline;

/// <summary>
/// Thrown while reading a request (malformed JSON, wrong field types, bad knob values);
/// <see cref="InvalidRequestMiddleware"/> turns it into a 400 <c>invalid_request_error</c>.
/// </summary>
/// <param name="param">The request field refused, as OpenAI names it in <c>error.param</c> (null: the request as a whole).</param>
/// <param name="code">OpenAI's <c>error.code</c> for the refusal, when it has one.</param>
internal sealed class InvalidRequestException(string message, string? param = null, string? code = null) : Exception(message)
{
    public string? Param { get; } = param;

    public string? Code { get; } = code;
}
