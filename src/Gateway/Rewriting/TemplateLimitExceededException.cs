namespace LlmGateway.Rewriting;

/// <summary>A render went past one of <see cref="TemplateLimitsOptions"/>; the message names the limit, never the template.</summary>
internal sealed class TemplateLimitExceededException : Exception
{
    public TemplateLimitExceededException()
        : this("template limit")
    {
    }

    public TemplateLimitExceededException(string limit)
        : base($"The render exceeded the {limit}.")
    {
        Limit = limit;
    }

    public TemplateLimitExceededException(string limit, Exception innerException)
        : base($"The render exceeded the {limit}.", innerException)
    {
        Limit = limit;
    }

    /// <summary>Which limit was hit (for the log).</summary>
    public string Limit { get; } = "template limit";
}
