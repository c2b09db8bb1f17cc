namespace LlmGateway.Eval.Running;

/// <summary>How the runner calls the executor and reports progress.</summary>
internal sealed record EvalRunnerOptions
{
    public CaseRetryOptions Retry { get; init; } = new();

    /// <summary>
    /// Called after every run, one call at a time (the runner serialises them), from a worker thread; keep it quick.
    /// </summary>
    public Action<RunProgress>? Progress { get; init; }

    /// <summary>Part of every cache key besides the request (e.g. <c>stream</c>): calls made differently never share cached answers.</summary>
    public string? CacheScope { get; init; }

    /// <summary>Use the config's <c>cache_dir</c> when it has one.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Told once, from a worker thread, when writing to the cache fails; the run goes on without writing it.</summary>
    public Action<string>? CacheWriteFailed { get; init; }

    /// <summary>Opens the cache file for appending; tests pass a stream that fails. A <see cref="FileStream"/> by default.</summary>
    public Func<string, Stream>? OpenCacheFile { get; init; }

    /// <summary>For the retry delays; tests pass a fake.</summary>
    public TimeProvider? TimeProvider { get; init; }
}
