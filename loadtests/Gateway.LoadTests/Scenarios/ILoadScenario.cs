namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// One kind of request. <see cref="Execution.RequestRunner"/> owns sending, timing, timeouts and error
/// classification; a scenario only says what to send and how to read a successful response.
/// New scenarios plug in here.
/// </summary>
internal interface ILoadScenario
{
    /// <summary>The <c>--scenario</c> value, shown in the report.</summary>
    string Name { get; }

    /// <summary>A fresh request each time: <see cref="HttpRequestMessage"/> cannot be sent twice.</summary>
    HttpRequestMessage CreateRequest();

    /// <summary>Reads a 2xx body to its end (or to the stream's <c>[DONE]</c>); the headers are there for scenarios that check them.</summary>
    Task<ResponseObservation> ReadResponseAsync(HttpResponseMessage response, Stream body, CancellationToken cancellationToken);
}
