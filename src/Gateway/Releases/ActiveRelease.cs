using LlmGateway.Contracts.Releases;
using LlmGateway.Rewriting;

namespace LlmGateway.Releases;

/// <summary>A release as the hot path sees it: the record plus its resolved, immutable bundles.</summary>
internal sealed record ActiveRelease(
    string Prompt,
    string Environment,
    ReleaseRecord Record,
    string RawJson,
    PreparedBundle? Stable,
    PreparedBundle? Canary)
{
    /// <summary>The bundle of <paramref name="version"/> if this release serves it (stable or canary), else null.</summary>
    public PreparedBundle? Serving(int version) =>
        Stable?.Version == version ? Stable : Canary?.Version == version ? Canary : null;
}
