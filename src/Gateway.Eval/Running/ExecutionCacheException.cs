namespace LlmGateway.Eval.Running;

/// <summary>
/// The cache directory cannot be opened: it is a file, it cannot be created, or its <c>executions.jsonl</c> cannot be
/// read or opened for appending. Said before any call is made, so the run can be fixed or run without the cache.
/// </summary>
internal sealed class ExecutionCacheException : Exception
{
    public ExecutionCacheException()
    {
    }

    public ExecutionCacheException(string message)
        : base(message)
    {
    }

    public ExecutionCacheException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
