namespace LlmGateway.Admin;

/// <summary>Endpoint metadata: the role an admin endpoint needs.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
internal sealed class RequiresAdminRoleAttribute(string role) : Attribute
{
    public string Role { get; } = role;
}
