using LlmGateway.Auth;
using LlmGateway.Providers;

namespace LlmGateway.Proxy;

/// <summary>What the gateway decided about one request; read by transforms and later stages.</summary>
internal sealed class GatewayRequestFeature(string requestId, GatewayKey key, CatalogModel model, bool stream)
{
    public string RequestId { get; } = requestId;

    public GatewayKey Key { get; } = key;

    public CatalogModel Model { get; } = model;

    public bool Stream { get; } = stream;
}
