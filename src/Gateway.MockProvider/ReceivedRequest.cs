namespace LlmGateway.MockProvider;

/// <summary>One request as the mock received it, before authentication or fault injection.</summary>
/// <param name="Headers">Every header as received (case-insensitive keys; repeated values joined by a comma).</param>
/// <param name="Tag">The <c>x-mock-tag</c> header (or <c>mock_tag</c> query parameter), if any.</param>
public sealed record ReceivedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    string? Tag,
    DateTimeOffset ReceivedAt)
{
    /// <summary>
    /// Completes when the mock is done with the request: its handler returned, the last byte of its answer handed to
    /// the server (or the request failed or was aborted). A test waits on it, not on a clock, for the answer to be written.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Task Finished { get; init; } = Task.CompletedTask;
}
