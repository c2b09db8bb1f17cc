using LlmGateway.Audit;

namespace LlmGateway.Admin;

/// <summary>The control-plane API, from <c>Gateway:Admin</c>.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Gateway:Admin";

    /// <summary>
    /// Admin tokens by actor name. None configured disables the admin API (403), so a gateway is
    /// never administrable by accident.
    /// </summary>
    public Dictionary<string, AdminTokenOptions> Tokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Failed admin authentications (no token or an unknown one) one remote address may make per
    /// minute; beyond it every admin request from that address gets 429 with <c>Retry-After</c>
    /// until the minute is over, before any token is looked at.
    /// </summary>
    public int FailedAuthenticationsPerMinute { get; set; } = 20;

    /// <summary>Retention and flood limits of the audit trail.</summary>
    public AuditOptions Audit { get; set; } = new();
}
