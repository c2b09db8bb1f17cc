namespace LlmGateway.Admin;

internal static class AdminRoles
{
    /// <summary>Every GET, except the samples' content.</summary>
    public const string Viewer = "viewer";

    /// <summary>Pushes prompt bundles.</summary>
    public const string Author = "author";

    /// <summary>Approves versions authored by someone else.</summary>
    public const string Approver = "approver";

    /// <summary>Changes releases; issues and revokes gateway keys; claims from and settles the evaluators' sample queue.</summary>
    public const string Operator = "operator";

    /// <summary>
    /// Lists, shows and exports sampled requests and responses (real user conversations, even
    /// redacted); every such read is audited.
    /// </summary>
    public const string SampleReader = "sample-reader";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Viewer, Author, Approver, Operator, SampleReader };
}
