using System.Text.Json.Nodes;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// A promptfoo test as read from a YAML or CSV test file, before it becomes an <see cref="EvalCase"/>
/// (see <see cref="PromptfooCaseBuilder"/>). A suite's <c>defaultTest</c> is read into one too.
/// </summary>
internal sealed record PromptfooTest
{
    /// <summary>The 1-based line the test starts on.</summary>
    public required int Line { get; init; }

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, JsonNode?> Vars { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The assertions as promptfoo-shaped JSON objects, already checked to be of supported types.</summary>
    public IReadOnlyList<JsonObject> Assertions { get; init; } = [];

    /// <summary>promptfoo's <c>options.disableVarExpansion</c>: a list var is sent as a list instead of one test per value.</summary>
    public bool? DisableVarExpansion { get; init; }

    public IReadOnlyDictionary<string, JsonNode?> Metadata { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The test's minimum weighted score; without one, every assertion must pass.</summary>
    public double? Threshold { get; init; }

    /// <summary>
    /// This test with a suite's <c>defaultTest</c> applied as promptfoo does: default vars and metadata under the
    /// test's own, default assertions before the test's, the default threshold and options where the test sets none.
    /// </summary>
    public PromptfooTest WithDefaults(PromptfooTest? defaults) => defaults is null ? this : this with
    {
        Vars = Overlay(defaults.Vars, Vars),
        Assertions = [.. defaults.Assertions.Select(a => (JsonObject)a.DeepClone()), .. Assertions],
        DisableVarExpansion = DisableVarExpansion ?? defaults.DisableVarExpansion,
        Metadata = Overlay(defaults.Metadata, Metadata),
        Threshold = Threshold ?? defaults.Threshold,
    };

    private static Dictionary<string, JsonNode?> Overlay(IReadOnlyDictionary<string, JsonNode?> under, IReadOnlyDictionary<string, JsonNode?> over)
    {
        var merged = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in under)
        {
            merged[key] = value?.DeepClone();
        }

        foreach (var (key, value) in over)
        {
            merged[key] = value;
        }

        return merged;
    }
}
