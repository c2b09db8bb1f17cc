namespace LlmGateway.Eval.Datasets;

/// <summary>One CSV record: its fields, unquoted, and the 1-based line it starts on (a quoted field may span lines).</summary>
internal sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);
