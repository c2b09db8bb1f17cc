using LlmGateway.Proxy;

namespace LlmGateway.Rewriting;

/// <summary>A bundle parameter ready to splice: <c>"name":value</c> as bytes, and whether the client may override it.</summary>
internal sealed record PreparedParameter(TopLevelField Field, byte[] PropertyJson, bool ClientOverridable);
