using System.Globalization;

namespace LlmGateway.Eval.Running;

/// <summary>
/// One side of a comparison: a prompt pinned to a version. Published versions are immutable, so (name, version)
/// identifies the bundle, which is what makes cached answers safe to reuse.
/// </summary>
internal sealed record PromptTarget
{
    public PromptTarget(string name, int version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        Name = name;
        Version = version;
    }

    public string Name { get; }

    public int Version { get; }

    public override string ToString() => $"{Name}@v{Version.ToString(CultureInfo.InvariantCulture)}";
}
