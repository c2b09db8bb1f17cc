namespace LlmGateway.LoadTests.Scenarios;

/// <summary>Non-streamed chat completion: latency is until the last byte of the JSON body.</summary>
internal sealed class ChatScenario(ChatRequestFactory requests, string name) : ILoadScenario
{
    public string Name => name;

    public HttpRequestMessage CreateRequest() => requests.Create();

    public async Task<ResponseObservation> ReadResponseAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken)
    {
        // Read and discard: parsing would cost the generator CPU without telling us more about the server.
        await body.CopyToAsync(Stream.Null, cancellationToken);
        return ResponseObservation.Complete;
    }
}
