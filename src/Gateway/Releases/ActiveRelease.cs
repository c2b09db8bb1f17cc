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
    PreparedBundle? Canary);
