using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace LlmGateway.Store;

/// <summary>Where the gateway keeps its state. Bound from the <c>Redis</c> section.</summary>
internal sealed class StoreOptions
{
    public const string SectionName = "Redis";

    /// <summary>
    /// StackExchange.Redis configuration string (or a <c>redis://</c> URL). Empty means
    /// "start embedded Garnet". <c>REDIS_URL</c> fills it when the section leaves it empty.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key the gateway writes, so several gateways can share one Redis.</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.:-]{1,32}\z")]
    public string KeyPrefix { get; set; } = "gw";

    /// <summary>How long one store call may take before the hot path gives up on it.</summary>
    [Range(50, 60_000)]
    public int OperationTimeoutMs { get; set; } = 1000;

    [ValidateObjectMembers]
    public EmbeddedStoreOptions Embedded { get; set; } = new();

    public bool UsesEmbeddedStore => string.IsNullOrWhiteSpace(Configuration);
}
