namespace LlmGateway.MockProvider.Pipeline;

/// <summary>
/// Thrown while reading a request (malformed JSON, wrong field types, bad knob values);
/// <see cref="InvalidRequestMiddleware"/> turns it into a 400 <c>invalid_request_error</c>.
/// </summary>
internal sealed class InvalidRequestException(string message) : Exception(message);
