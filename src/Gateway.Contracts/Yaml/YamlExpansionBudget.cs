namespace LlmGateway.Contracts.Yaml;

/// <summary>
/// How much one YAML file may expand to, across every conversion of its nodes: aliases repeat nodes, so a few lines
/// can stand for gigabytes of JSON (aliases of aliases, "billion laughs") or for endless work that writes little (merge
/// keys of merge keys). One budget per file: a reader that converts a file's nodes one by one shares it among them.
/// </summary>
internal sealed class YamlExpansionBudget
{
    /// <summary>The most JSON a file converts to: far above any real bundle, config or dataset.</summary>
    public const long MaxJsonBytes = 64L * 1024 * 1024;

    /// <summary>The most nodes and merged entries a file's conversions visit: a real file visits thousands.</summary>
    public const long MaxSteps = 4_000_000;

    private long _written;
    private long _steps;

    /// <summary>Counts one node or merged entry visited; false once the file has visited too many.</summary>
    public bool TryStep() => ++_steps <= MaxSteps;

    /// <summary>Adds a conversion's JSON; false once the file's JSON is past <see cref="MaxJsonBytes"/>.</summary>
    public bool TryWrite(long bytes) => (_written += bytes) <= MaxJsonBytes;

    /// <summary>What the file has written so far, for a conversion in progress to check against.</summary>
    public long Written => _written;
}
