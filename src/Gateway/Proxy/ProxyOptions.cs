using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Proxy;

/// <summary>Request handling limits, from <c>Gateway:Proxy</c>.</summary>
internal sealed class ProxyOptions
{
    public const string SectionName = "Gateway:Proxy";

    /// <summary>Largest request body accepted; bigger ones get 413 before anything is forwarded.</summary>
    [Range(1024, 512L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 8L * 1024 * 1024;
}
