using System.Text.RegularExpressions;

namespace LlmGateway.Behaviour;

/// <summary>A series name: safe inside a store field (no '|') and a Prometheus label.</summary>
internal static partial class MetricNames
{
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex Pattern();
}
