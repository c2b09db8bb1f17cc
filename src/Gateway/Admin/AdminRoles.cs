namespace LlmGateway.Admin;

internal static class AdminRoles
{
    /// <summary>Every GET.</summary>
    public const string Viewer = "viewer";

    /// <summary>Pushes prompt bundles.</summary>
    public const string Author = "author";

    /// <summary>Approves versions authored by someone else.</summary>
    public const string Approver = "approver";

    /// <summary>Changes releases; issues and revokes gateway keys.</summary>
    public const string Operator = "operator";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Viewer, Author, Approver, Operator };
}
