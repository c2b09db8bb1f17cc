using LlmGateway.Providers;

namespace LlmGateway.Resilience;

/// <summary>The attempt being forwarded now: read by the provider transform to pick credentials and path.</summary>
internal interface IUpstreamAttemptFeature
{
    CatalogModel Model { get; }

    /// <summary>1 for the first attempt, every model counted.</summary>
    int Number { get; }
}
