using System.Text;

namespace LlmGateway.Cli.Output;

/// <summary>
/// "label  value" lines with the values aligned, for showing one record (a release, a bundle's
/// metadata) where a table with a single row would read worse.
/// </summary>
internal sealed class LabelledValues
{
    private readonly List<(string Label, string Value)> lines = [];

    public LabelledValues Add(string label, string? value)
    {
        lines.Add((label, string.IsNullOrWhiteSpace(value) ? TextTable.Missing : value));
        return this;
    }

    public string ToString(int indent)
    {
        var width = lines.Count == 0 ? 0 : lines.Max(line => line.Label.Length);
        var text = new StringBuilder();
        foreach (var (label, value) in lines)
        {
            var pad = new string(' ', indent);
            // A multi-line value keeps its lines under the value column.
            var valueLines = value.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            text.Append(pad).Append((label + ":").PadRight(width + 1)).Append("  ").Append(valueLines[0]).Append('\n');
            foreach (var continuation in valueLines.Skip(1))
            {
                text.Append(pad).Append(' ', width + 3).Append(continuation).Append('\n');
            }
        }

        return text.ToString();
    }

    public override string ToString() => ToString(indent: 0);
}
