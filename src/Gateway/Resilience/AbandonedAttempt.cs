using LlmGateway.Providers;

namespace LlmGateway.Resilience;

/// <summary>An upstream attempt the gateway gave up while its provider went on with it: billed at the attempt's model.</summary>
/// <param name="Number">The attempt's number among the request's attempts (1-based, every model counted).</param>
internal sealed record AbandonedAttempt(CatalogModel Model, int Number);
