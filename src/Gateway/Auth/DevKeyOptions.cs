using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Auth;

/// <summary>A fixed, published key for the demo. Refused outside demo mode.</summary>
internal sealed class DevKeyOptions
{
    public bool Enabled { get; set; }

    [MinLength(8)]
    public string Key { get; set; } = "sk-gateway-demo";

    [Required]
    public string App { get; set; } = "demo";

    [Required]
    public string Environment { get; set; } = "development";
}
