using LlmGateway.LoadTests.Measurement;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// A load model: decides when requests are sent. It stops sending when <paramref name="stop"/> fires or the
/// budget runs out, and returns once every request it sent has been recorded.
/// </summary>
internal interface ILoadDriver
{
    string Description { get; }

    Task RunAsync(RequestRunner runner, MeasurementRecorder recorder, RequestBudget budget, CancellationToken stop);
}
