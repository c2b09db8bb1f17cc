using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>One entry of <c>prompt_variables</c>. Scalars keep their value; objects and arrays only their kind.</summary>
internal readonly record struct ScannedVariable(string Name, JsonValueKind Kind, string? Text, double Number)
{
    public bool IsScalar => Kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
}
