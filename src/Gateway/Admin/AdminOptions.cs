namespace LlmGateway.Admin;

/// <summary>The control-plane API, from <c>Gateway:Admin</c>.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Gateway:Admin";

    /// <summary>
    /// Bearer token for <c>/admin/v1</c>. Unset disables the admin API (403), so a gateway is
    /// never administrable by accident. Supply it through the environment, not a file.
    /// </summary>
    public string? Token { get; set; }
}
