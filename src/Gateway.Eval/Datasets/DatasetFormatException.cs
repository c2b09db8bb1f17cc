namespace LlmGateway.Eval.Datasets;

/// <summary>A dataset line that cannot be used. Bad lines are never skipped: one bad case would silently shrink the comparison.</summary>
internal sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string dataset, int line, string problem)
        : base(line > 0 ? $"{dataset}:{line}: {problem}" : $"{dataset}: {problem}")
    {
        Dataset = dataset;
        Line = line;
        Problem = problem;
    }

    public DatasetFormatException()
        : this("dataset", 0, "invalid dataset")
    {
    }

    public DatasetFormatException(string message)
        : this("dataset", 0, message)
    {
    }

    public DatasetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Dataset = "dataset";
        Problem = message;
    }

    /// <summary>The dataset's file name (or the name it was parsed under).</summary>
    public string Dataset { get; }

    /// <summary>The 1-based line, or 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>The problem without the location prefix.</summary>
    public string Problem { get; }
}
