using System.Globalization;
using System.Text.Json;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// Flags of a harness command: <c>--name value</c> pairs, optionally preceded by a JSON file
/// (<c>--config run.json</c>, NBomber style) whose keys are the same names without dashes. The command line wins.
/// Every flag must be read by the command: an unread one is reported as unknown, so a typo never goes unnoticed.
/// </summary>
internal sealed class CommandArgs
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CommandArgs(Dictionary<string, string> values) => _values = values;

    public static CommandArgs Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var fromCommandLine = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new UsageException($"Expected '--flag value' pairs, got '{arg}'.");
            }

            fromCommandLine[arg[2..]] = args[++i];
        }

        if (fromCommandLine.Remove("config", out var configPath))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(configPath));
            foreach (var property in document.RootElement.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        foreach (var (name, value) in fromCommandLine)
        {
            values[name] = value;
        }

        return new CommandArgs(values);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string String(string name, string fallback)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name, fallback);
    }

    public double Number(string name, double fallback, double min, double max)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var raw))
        {
            return fallback;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"--{name} must be a number from {min} to {max}, got '{raw}'.");
    }

    public double? OptionalNumber(string name, double min, double max) => Has(name) ? Number(name, 0, min, max) : Mark(name);

    /// <summary>Call once every flag was read: anything left is a typo or a flag of another command.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(name => !_read.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown flag(s) for this command: {string.Join(", ", unknown.Select(n => "--" + n))}.");
        }
    }

    private double? Mark(string name)
    {
        _read.Add(name);
        return null;
    }
}
