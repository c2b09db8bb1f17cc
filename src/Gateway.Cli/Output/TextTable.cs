using System.Text;

namespace LlmGateway.Cli.Output;

/// <summary>
/// A plain, aligned table in the style of <c>kubectl get</c>: a header row, columns separated by two
/// spaces, no borders, no trailing spaces, so it reads well in a terminal and greps well in a pipe.
/// </summary>
internal sealed class TextTable
{
    public const string Missing = "-";
    private const string ColumnGap = "  ";

    private readonly string[] headers;
    private readonly List<string[]> rows = [];

    public TextTable(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.Length == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(headers));
        }

        this.headers = headers;
    }

    /// <summary>Cells longer than this are cut with an ellipsis, so one long reason cannot push every other row off screen.</summary>
    public int MaxCellWidth { get; init; } = 60;

    public int RowCount => rows.Count;

    public void AddRow(params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"Expected {headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        rows.Add([.. cells.Select(Clean)]);
    }

    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(ToString());
    }

    public override string ToString()
    {
        var widths = new int[headers.Length];
        foreach (var row in rows.Prepend(headers))
        {
            for (var column = 0; column < row.Length; column++)
            {
                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in rows.Prepend(headers))
        {
            var line = new StringBuilder();
            for (var column = 0; column < row.Length; column++)
            {
                if (column > 0)
                {
                    line.Append(ColumnGap);
                }

                // The last column is not padded: trailing spaces only get in the way of diff and grep.
                line.Append(column == row.Length - 1 ? row[column] : row[column].PadRight(widths[column]));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    private string Clean(string? cell)
    {
        if (string.IsNullOrWhiteSpace(cell))
        {
            return Missing;
        }

        // One row per line, whatever the cell holds: line breaks and tabs become spaces.
        var singleLine = string.Join(' ', cell.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return singleLine.Length <= MaxCellWidth ? singleLine : string.Concat(singleLine.AsSpan(0, MaxCellWidth - 1), "…");
    }
}
