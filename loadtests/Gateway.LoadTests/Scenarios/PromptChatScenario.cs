using LlmGateway.LoadTests.Execution;

namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// Non-streamed <c>prompt:&lt;name&gt;</c> requests, one session id each. A response only counts as a success when it
/// names the version and arm that served it (<c>X-Prompt-Version</c>, <c>X-Prompt-Variant</c>); the pair is its tag,
/// so the report shows the canary share and, in the rollback runs, which version each request got.
/// </summary>
internal sealed class PromptChatScenario(ChatRequestFactory requests) : ILoadScenario
{
    public const string VersionHeader = "X-Prompt-Version";
    public const string VariantHeader = "X-Prompt-Variant";

    public string Name => "prompt-chat";

    public HttpRequestMessage CreateRequest() => requests.Create();

    public async Task<ResponseObservation> ReadResponseAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        await body.CopyToAsync(Stream.Null, cancellationToken);
        var headers = response.Headers;
        if (!headers.TryGetValues(VersionHeader, out var versions) || !headers.TryGetValues(VariantHeader, out var variants))
        {
            return new ResponseObservation([], ErrorKinds.MissingPromptHeaders);
        }

        return new ResponseObservation([], null, $"v{versions.First()} {variants.First()}");
    }
}
