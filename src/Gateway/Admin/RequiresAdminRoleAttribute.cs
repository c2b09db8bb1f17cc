namespace LlmGateway.Admin;

/// <summary>Endpoint metadata: a role an admin endpoint needs (an endpoint given several needs every one).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
internal sealed class RequiresAdminRoleAttribute(string role) : Attribute
{
    public string Role { get; } = role;
}
