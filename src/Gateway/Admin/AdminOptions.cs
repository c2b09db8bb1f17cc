using System.ComponentModel.DataAnnotations;

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
}
