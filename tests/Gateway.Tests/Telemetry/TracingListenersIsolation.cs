namespace LlmGateway.Tests.Telemetry;

/// <summary>
/// Tests that start a gateway with tracing on, or that check what trace context reaches the provider, run alone, after
/// the parallel ones. Activity listeners are process-wide: while a tracing gateway runs, HttpClient makes an Activity for
/// every host's outgoing request, a new root for a gateway with tracing off, and writes its trace id over the client's
/// (seen: the trace-context test failed whenever a span test ran beside it). One gateway per process, as deployed, has
/// no such neighbour.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingListenersIsolation
{
    public const string Name = "Tracing listeners";
}
