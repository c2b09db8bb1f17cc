using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace LlmGateway.Auth;

/// <summary>Client authentication, from <c>Gateway:Auth</c>.</summary>
internal sealed class AuthOptions
{
    public const string SectionName = "Gateway:Auth";

    /// <summary>How long a verified key is trusted before the store is asked again (revocation delay).</summary>
    [Range(0, 3600)]
    public int CacheSeconds { get; set; } = 30;

    /// <summary>How long an unknown key is remembered as unknown, sparing the store from repeated misses.</summary>
    [Range(0, 600)]
    public int NegativeCacheSeconds { get; set; } = 5;

    [ValidateObjectMembers]
    public DevKeyOptions DevKey { get; set; } = new();
}
