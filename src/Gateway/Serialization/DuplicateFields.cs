using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmGateway.Serialization;

/// <summary>Names the field of a <see cref="JsonException"/> that a strict read (<see cref="AdminInputJsonContext"/>) threw for a field given twice.</summary>
internal static partial class DuplicateFields
{
    /// <returns>The field's path from the body (<c>plan.steps[0].min_samples</c>), or null for any other problem.</returns>
    public static string? Of(JsonException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var match = DuplicateProperty().Match(ex.Message);
        if (!match.Success)
        {
            return null;
        }

        // The reader's path may or may not already end at the repeated property.
        var property = match.Groups[1].Value;
        var path = ex.Path is null or "$" ? "" : ex.Path.TrimStart('$').TrimStart('.');
        // Cut: the name is the sender's own, echoed in the error's message and param.
        return Errors.ClientEcho.Cut(path.EndsWith(property, StringComparison.Ordinal) ? path : string.IsNullOrEmpty(path) ? property : $"{path}.{property}");
    }

    [GeneratedRegex("Duplicate property '([^']+)'")]
    private static partial Regex DuplicateProperty();
}
