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
    DateTimeOffset ReceivedAt);
