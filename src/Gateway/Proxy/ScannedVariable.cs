using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>
/// One entry of <c>prompt_variables</c>. Strings keep their value and numbers their exact text (an
/// order number must not lose digits); objects and arrays only their kind.
/// </summary>
internal readonly record struct ScannedVariable(string Name, JsonValueKind Kind, string? Text)
{
    public bool IsScalar => Kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
}
