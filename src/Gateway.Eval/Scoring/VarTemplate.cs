using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Substitutes a case's vars into an assertion value: every <c>{{ name }}</c> in a string (at any depth of an
/// object or array) is replaced by the var's value. This is the simple subset of promptfoo's Nunjucks templates.
/// </summary>
/// <remarks>
/// A reference to an unknown var, or any other template expression (filters, dotted paths), is an error rather
/// than being left as-is or rendered empty: <c>contains ""</c> would pass on everything and a literal
/// <c>{{x}}</c> makes <c>not-contains</c> pass, so a silent fallback would hide a broken dataset.
/// </remarks>
internal static partial class VarTemplate
{
    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VarName();

    /// <summary>Renders every string inside <paramref name="value"/>.</summary>
    public static bool TryRender(
        JsonElement? value,
        IReadOnlyDictionary<string, JsonElement>? vars,
        out JsonElement? rendered,
        [NotNullWhen(false)] out string? error)
    {
        rendered = value;
        error = null;
        if (value is not { } element || !ContainsPlaceholder(element))
        {
            return true;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (!TryWrite(element, vars, writer, out error))
            {
                return false;
            }
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        rendered = document.RootElement.Clone();
        return true;
    }

    /// <summary>Renders one string; a var's string value is inserted as-is, any other value as its JSON text.</summary>
    public static bool TryRender(
        string template,
        IReadOnlyDictionary<string, JsonElement>? vars,
        [NotNullWhen(true)] out string? rendered,
        [NotNullWhen(false)] out string? error)
    {
        rendered = null;
        error = null;
        var builder = new StringBuilder(template.Length);
        var last = 0;
        foreach (Match match in Placeholder().Matches(template))
        {
            if (!TryResolve(match, vars, out var varValue, out error))
            {
                return false;
            }

            builder.Append(template, last, match.Index - last);
            builder.Append(varValue.Value.ValueKind == JsonValueKind.String ? varValue.Value.GetString() : varValue.Value.GetRawText());
            last = match.Index + match.Length;
        }

        builder.Append(template, last, template.Length - last);
        rendered = builder.ToString();
        return true;
    }

    private static bool TryWrite(
        JsonElement element,
        IReadOnlyDictionary<string, JsonElement>? vars,
        Utf8JsonWriter writer,
        [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (!TryWrite(property.Value, vars, writer, out error))
                    {
                        return false;
                    }
                }

                writer.WriteEndObject();
                return true;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    if (!TryWrite(item, vars, writer, out error))
                    {
                        return false;
                    }
                }

                writer.WriteEndArray();
                return true;
            case JsonValueKind.String:
                var text = element.GetString()!;
                var whole = Placeholder().Match(text);
                if (whole.Success && whole.Index == 0 && whole.Length == text.Length)
                {
                    // A value that is exactly one placeholder takes the var's JSON value, so an object var can be
                    // the value of `equals` or the schema of `is-json`.
                    if (!TryResolve(whole, vars, out var varValue, out error))
                    {
                        return false;
                    }

                    varValue.Value.WriteTo(writer);
                    return true;
                }

                if (!TryRender(text, vars, out var rendered, out error))
                {
                    return false;
                }

                writer.WriteStringValue(rendered);
                return true;
            default:
                element.WriteTo(writer);
                return true;
        }
    }

    private static bool TryResolve(
        Match match,
        IReadOnlyDictionary<string, JsonElement>? vars,
        [NotNullWhen(true)] out JsonElement? value,
        [NotNullWhen(false)] out string? error)
    {
        value = null;
        error = null;
        var name = match.Groups[1].Value.Trim();
        if (!VarName().IsMatch(name))
        {
            error = $"unsupported template expression '{match.Value}': only {{{{ name }}}} is supported";
            return false;
        }

        if (vars is null || !vars.TryGetValue(name, out var found))
        {
            var known = vars is { Count: > 0 } ? string.Join(", ", vars.Keys.Order(StringComparer.Ordinal)) : "none";
            error = $"the value references var '{name}', which the case does not define (vars: {known})";
            return false;
        }

        value = found;
        return true;
    }

    private static bool ContainsPlaceholder(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!.Contains("{{", StringComparison.Ordinal),
        JsonValueKind.Array => element.EnumerateArray().Any(ContainsPlaceholder),
        JsonValueKind.Object => element.EnumerateObject().Any(p => ContainsPlaceholder(p.Value)),
        _ => false,
    };
}
