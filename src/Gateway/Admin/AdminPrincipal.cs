namespace LlmGateway.Admin;

/// <summary>Who is calling the admin API; <see cref="Name"/> is the actor in history and audit.</summary>
internal sealed record AdminPrincipal(string Name, IReadOnlySet<string> Roles)
{
    public bool IsIn(string role) => Roles.Contains(role);
}
