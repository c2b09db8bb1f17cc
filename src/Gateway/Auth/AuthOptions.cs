using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace LlmGateway.Auth;

/// <summary>Client authentication, from <c>Gateway:Auth</c>.</summary>
internal sealed class AuthOptions
{
    public const string SectionName = "Gateway:Auth";

    /// <summary>
    /// After this long a cached key is re-checked in the background (requests never wait for
    /// it). Bounds how late a revocation that was not published (a raw DEL) takes effect.
    /// </summary>
    [Range(0, 3600)]
    public double CacheSeconds { get; set; } = 1;

    /// <summary>How long an unknown key is remembered as unknown, sparing the store from repeated misses.</summary>
    [Range(0, 600)]
    public double NegativeCacheSeconds { get; set; } = 1;

    /// <summary>
    /// Store lookups of unknown keys allowed per remote address (IPv6 by its /64) per minute, per instance. Past it,
    /// keys this instance does not know yet get 429 until the minute ends, without a store read: a spray of random keys
    /// would otherwise cost a store read each. Keys it knows are never refused by it. Behind an ingress every client
    /// shares its address: raise it there, or set 0 to turn it off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FailedLookupsPerAddressPerMinute { get; set; } = 600;

    /// <summary>
    /// How often every instance reloads the admin tokens issued through the admin API. Issuing and revoking are
    /// published and applied at once; this bounds how late a change that was not published (a raw DEL, a message
    /// missed during a reconnect) takes effect.
    /// </summary>
    [Range(1, 3600)]
    public double AdminTokenRefreshSeconds { get; set; } = 30;

    /// <summary>
    /// How many confirmed keys' hashes each instance remembers by their secret, so a request does not hash its key
    /// (about 2.5 µs each). 0 turns it off: no secret outlives its request in the process's memory, at that cost.
    /// </summary>
    [Range(0, 1_000_000)]
    public int RememberedKeyHashes { get; set; } = KeyHashMemo.DefaultCapacity;

    [ValidateObjectMembers]
    public DevKeyOptions DevKey { get; set; } = new();
}
