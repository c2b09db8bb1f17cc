namespace LlmGateway.Releases;

/// <summary>The actions recorded in activation history.</summary>
internal static class ActivationActions
{
    public const string Create = "create";
    public const string Approve = "approve";
    public const string ReleaseSet = "release-set";
    public const string CanaryStart = "canary-start";
    public const string CanaryWeight = "canary-weight";
    public const string Promote = "promote";
    public const string Rollback = "rollback";
    public const string Abort = "abort";

    /// <summary>The release's sampling policy changed (null: back to the configured defaults).</summary>
    public const string SamplingSet = "sampling-set";

    /// <summary>A raw write of the release key, noticed and recorded by the first gateway that saw it.</summary>
    public const string ExternalChange = "external-change";
}
