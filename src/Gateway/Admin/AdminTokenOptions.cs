namespace LlmGateway.Admin;

/// <summary>
/// One admin token. Give <see cref="TokenSha256"/> in files, so no secret is at rest anywhere;
/// <see cref="Token"/> (plain) is for environment variables and the demo.
/// </summary>
internal sealed class AdminTokenOptions
{
    public string? Token { get; set; }

    /// <summary>Lower- or upper-case hex SHA-256 of the UTF-8 token.</summary>
    public string? TokenSha256 { get; set; }

    public string[] Roles { get; set; } = [];
}
