using System.CommandLine;
using System.Text.Json;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>--config run.json</c> (NBomber style): a harness command's flags from a JSON object whose keys are the flag names
/// without dashes (<c>{"scenario":"stream","rate":200}</c>). The file's values become ordinary command-line tokens for
/// the flags the command line did not give, so the command line wins and every value goes through the same parsers and
/// validators. A key that is not a flag of the command is an error, so a typo never goes unnoticed.
/// </summary>
internal static class ConfigFile
{
    public const string OptionName = "--config";

    public static Option<string?> CreateOption() => new(OptionName)
    {
        Description = "Flags from a JSON file, keys without dashes ({\"scenario\":\"stream\",\"rate\":200}); flags on the command line win.",
        HelpName = "file.json",
    };

    /// <summary>The tokens the config file adds to the command line of <paramref name="parsed"/>; empty without <c>--config</c>.</summary>
    public static IReadOnlyList<string> ExtraTokens(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        var configOption = command.Options.FirstOrDefault(option => option.Name == OptionName);
        if (configOption is null || parsed.GetResult(configOption) is not { Tokens.Count: > 0 } given)
        {
            return [];
        }

        var path = given.Tokens[0].Value;
        using var document = Read(path);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new UsageException($"--config {path}: expected a JSON object of flag names and values.");
        }

        var tokens = new List<string>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var option = command.Options.FirstOrDefault(o => o.Name == "--" + property.Name && o.Name != OptionName)
                ?? throw new UsageException($"--config {path}: '{property.Name}' is not a flag of '{command.Name}'.");
            if (parsed.GetResult(option) is { Implicit: false })
            {
                continue;
            }

            tokens.AddRange(TokensOf(option, property.Value, path));
        }

        return tokens;
    }

    private static JsonDocument Read(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UsageException($"--config {path}: {exception.Message}", exception);
        }
    }

    private static IEnumerable<string> TokensOf(Option option, JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.String => [option.Name, value.GetString()!],
        JsonValueKind.Number => [option.Name, value.GetRawText()],
        JsonValueKind.True => option.ValueType == typeof(bool) ? [option.Name] : [option.Name, "true"],
        JsonValueKind.False => option.ValueType == typeof(bool) ? [] : [option.Name, "false"],
        // Repeatable flags (--header) as a list.
        JsonValueKind.Array => value.EnumerateArray().SelectMany(item => TokensOf(option, item, path)),
        _ => throw new UsageException($"--config {path}: '{option.Name[2..]}' must be a string, number, boolean or list."),
    };
}
