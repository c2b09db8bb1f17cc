using System.Text.Json;
using LlmGateway.Contracts.Yaml;

namespace LlmGateway.Cli.Prompts;

/// <summary>Finds prompt files and turns each into the JSON body of <c>POST /admin/v1/prompts</c>.</summary>
internal static class PromptFileReader
{
    public static readonly IReadOnlyList<string> Extensions = [".yaml", ".yml", ".json"];

    // A key given twice is an error, as it is in YAML: the gateway would otherwise keep the last value unseen.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The file itself, or every prompt file directly inside the directory (not its subdirectories), sorted by name.</summary>
    /// <exception cref="UsageException">Nothing there, not a prompt file, or an empty directory.</exception>
    public static IReadOnlyList<string> Discover(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        if (Directory.Exists(path))
        {
            // Sorted by name with ordinal comparison, so the push order is the same on every machine.
            List<string> files;
            try
            {
                files = [.. Directory.EnumerateFiles(path).Where(IsPromptFile).OrderBy(file => Path.GetFileName(file), StringComparer.Ordinal)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{path}: cannot list the directory: {ex.Message}", "unreadable_file");
            }

            return files.Count > 0
                ? files
                : throw new UsageException($"{path} has no {DescribeExtensions()} files (subdirectories are not searched).", "no_prompt_files");
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"{path}: no such file or directory.", "file_not_found");
        }

        return IsPromptFile(path)
            ? [path]
            : throw new UsageException($"{path}: a prompt file must end in {DescribeExtensions()}.", "invalid_file");
    }

    /// <exception cref="UsageException">The file cannot be read or is not a valid bundle document.</exception>
    public static PromptFile Read(string path)
    {
        string content;
        try
        {
            content = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read the file: {ex.Message}", "unreadable_file");
        }

        return Parse(path, content);
    }

    /// <summary>YAML (by extension) is converted; JSON is checked and sent exactly as written.</summary>
    /// <exception cref="UsageException">Invalid YAML or JSON, or a document that is not a mapping.</exception>
    public static PromptFile Parse(string path, string content)
    {
        ArgumentNullException.ThrowIfNull(content);

        string json;
        if (IsJson(path))
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
                throw new UsageException($"invalid YAML: {ex.Message}", "invalid_yaml");
            }
        }

        try
        {
            using var document = JsonDocument.Parse(json, Strict);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException(
                    $"a prompt file must hold one bundle, a mapping of its fields (name, model, messages, …), not {Describe(document.RootElement.ValueKind)}.",
                    "invalid_file");
            }

            var name = document.RootElement.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String
                ? nameElement.GetString()
                : null;
            return new PromptFile(path, json, name);
        }
        catch (JsonException ex)
        {
            throw new UsageException($"invalid JSON: {ex.Message}", "invalid_json");
        }
    }

    private static bool IsPromptFile(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static bool IsJson(string path) =>
        string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase);

    private static string DescribeExtensions() => string.Join(", ", Extensions.SkipLast(1)) + " or " + Extensions[^1];

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
