using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Releases;

/// <summary>Environments and release propagation, from <c>Gateway:Releases</c>.</summary>
internal sealed class ReleaseOptions
{
    public const string SectionName = "Gateway:Releases";

    // Defaults are applied after binding (see ReleasesServiceCollectionExtensions): the binder
    // would append configured entries to a default array instead of replacing it.
    public string[] Environments { get; set; } = [];

    /// <summary>Environments that take only approved versions (and, once required, a passed eval gate).</summary>
    public string[]? ProtectedEnvironments { get; set; }

    /// <summary>How often every instance re-reads all release keys, catching raw writes that were not published.</summary>
    [Range(100, 60_000)]
    public int RevalidationIntervalMs { get; set; } = 500;

    /// <summary>After this long without a successful refresh the snapshot is reported stale (served anyway).</summary>
    [Range(1, 3600)]
    public int StaleAfterSeconds { get; set; } = 5;

    public bool IsKnown(string environment) => Environments.Contains(environment, StringComparer.Ordinal);

    public bool IsProtected(string environment) => (ProtectedEnvironments ?? []).Contains(environment, StringComparer.Ordinal);
}
