namespace LlmGateway.Eval.Datasets;

/// <summary>An invalid eval config. Carries every problem found, each prefixed with its field path, so one run fixes them all.</summary>
internal sealed class EvalConfigException : Exception
{
    public EvalConfigException(string source, IReadOnlyList<string> errors)
        : base($"{source}: invalid eval config:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", errors)}")
    {
        Errors = errors;
    }

    public EvalConfigException()
        : this("config", ["invalid eval config"])
    {
    }

    public EvalConfigException(string message)
        : this("config", [message])
    {
    }

    public EvalConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Each problem as <c>path: message</c>, e.g. <c>metrics.cost.max_regression: must be a number &gt;= 0</c>.</summary>
    public IReadOnlyList<string> Errors { get; }
}
