using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmGateway.Cli.Http;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Contracts.Yaml;

namespace LlmGateway.Cli.Rollouts;

/// <summary>
/// <c>rollout start --plan FILE</c>: a <see cref="RolloutPlan"/> written as YAML (converted as <c>prompts push</c> converts
/// bundles) or JSON (<c>.json</c>). It is checked against the contract before anything is sent: a field the plan does
/// not have (<c>min_sample</c> for <c>min_samples</c>) or a value of the wrong type would otherwise be dropped or
/// refused far from the file, and a dropped <c>min_samples</c> quietly lets a canary advance on far less evidence.
/// Problems are named by their path from <c>plan</c>, as the gateway names them (<c>plan.steps[2].weight</c>).
/// </summary>
internal static class RolloutPlanFile
{
    // A key given twice is an error, as it is in YAML: two min_samples would otherwise send the last one unseen.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <exception cref="UsageException">The file is missing or unreadable, or not a plan.</exception>
    public static RolloutPlan Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"{path}: no such file.", "file_not_found");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read the file: {ex.Message}", "unreadable_file");
        }

        return Parse(path, content);
    }

    /// <summary>JSON when the name ends in <c>.json</c>, else YAML (which JSON also is).</summary>
    /// <exception cref="UsageException">Invalid YAML or JSON, or not a plan.</exception>
    public static RolloutPlan Parse(string path, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var isJson = string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase);
        string json;
        if (isJson)
        {
            json = content;
        }
        else
        {
            try
            {
                json = YamlToJsonConverter.Convert(content);
            }
            catch (YamlConversionException ex)
            {
                throw new UsageException($"{path}: invalid YAML: {ex.Message}", "invalid_yaml");
            }
        }

        JsonElement plan;
        try
        {
            using var document = JsonDocument.Parse(json, Strict);
            plan = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{path}: invalid JSON: {ex.Message}", "invalid_json");
        }

        var problem = CheckObject(plan, CliJsonContext.Default.RolloutPlan, "plan");
        if (problem is not null)
        {
            throw new UsageException($"{path}: {problem}", "invalid_plan");
        }

        // Every field and type was checked above, so this reads exactly what the file says; only a number out of its
        // type's range (1e400) can still fail here.
        try
        {
            return plan.Deserialize(CliJsonContext.Default.RolloutPlan)
                ?? throw new UsageException($"{path}: the plan is empty.", "invalid_plan");
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{path}: {ex.Message}", "invalid_plan");
        }
    }

    /// <summary>The first problem of <paramref name="element"/> read as <paramref name="type"/>, or null.</summary>
    private static string? CheckObject(JsonElement element, JsonTypeInfo type, string path)
    {
        var fields = string.Join(", ", type.Properties.Select(property => property.Name));
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{path} must be a mapping of {fields}, not {Describe(element)}.";
        }

        foreach (var field in element.EnumerateObject())
        {
            var at = $"{path}.{field.Name}";
            var property = type.Properties.FirstOrDefault(candidate => string.Equals(candidate.Name, field.Name, StringComparison.Ordinal));
            if (property is null)
            {
                return $"{at} is not a field of {Article(path)}; the fields are {fields}.";
            }

            if (CheckValue(field.Value, type.Options.GetTypeInfo(property.PropertyType), at) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckValue(JsonElement value, JsonTypeInfo type, string path)
    {
        // Every field of the plan may be left out or null: the gateway's defaults fill it in.
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                return CheckObject(value, type, path);
            case JsonTypeInfoKind.Enumerable:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return $"{path} must be a list, not {Describe(value)}.";
                }

                var items = type.Options.GetTypeInfo(type.ElementType!);
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (CheckValue(item, items, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]")) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                var target = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
                var (fits, expected) = target switch
                {
                    _ when target == typeof(string) => (value.ValueKind == JsonValueKind.String,
                        path.EndsWith("_duration", StringComparison.Ordinal) ? "a duration such as 30s, 5m or 1h" : "text"),
                    _ when target == typeof(bool) => (value.ValueKind is JsonValueKind.True or JsonValueKind.False, "true or false"),
                    _ when target == typeof(long) || target == typeof(int) => (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), "a whole number"),
                    _ when target == typeof(double) => (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number), "a number"),
                    _ => (true, ""),
                };
                return fits ? null : $"{path} must be {expected}, not {Describe(value)}.";
        }
    }

    /// <summary>"a plan", "a step", "a metric", "the sampling": what the path's last segment holds.</summary>
    private static string Article(string path) =>
        path.EndsWith(']') ? (path.Contains(".steps[", StringComparison.Ordinal) ? "a step" : "a metric")
        : path.EndsWith(".sampling", StringComparison.Ordinal) ? "the sampling"
        : "a plan";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "a mapping",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the text \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };
}
