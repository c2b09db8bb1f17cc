namespace LlmGateway.Prompts;

/// <summary>What happens to a client's own <c>system</c> message when a bundle is applied.</summary>
internal static class SystemMessagePolicies
{
    public const string Keep = "keep";
    public const string Replace = "replace";
    public const string Reject = "reject";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Keep, Replace, Reject };
}
