using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Successful calls, keyed by (prompt, version, input hash, seed, and the runner's scope: for <c>gatewayctl</c> the
/// gateway's base URL, each version's bundle id and whether the call streamed), appended to <c>executions.jsonl</c> in
/// a cache directory as they complete. A re-run, or a run resumed after a crash, reuses them instead of paying again.
/// Failed calls are not cached, so a re-run retries them. A torn last line (a crash mid-write) or any other
/// unreadable line is only a cache miss; <see cref="UnreadableLines"/> counts them.
/// </summary>
internal sealed class ExecutionCache : IAsyncDisposable
{
    public const string FileName = "executions.jsonl";

    private readonly ConcurrentDictionary<string, CachedExecution> _entries;
    private readonly FileStream _append;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private ExecutionCache(string path, ConcurrentDictionary<string, CachedExecution> entries, int unreadable)
    {
        Path = path;
        _entries = entries;
        UnreadableLines = unreadable;
        _append = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
    }

    public string Path { get; }

    public int Count => _entries.Count;

    public int UnreadableLines { get; }

    /// <summary>Opens (creating if needed) the cache in <paramref name="directory"/> and loads its entries.</summary>
    public static async Task<ExecutionCache> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName);
        var entries = new ConcurrentDictionary<string, CachedExecution>(StringComparer.Ordinal);
        var unreadable = 0;
        if (File.Exists(path))
        {
            foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    if (JsonSerializer.Deserialize(line, RunningJsonContext.Default.CachedExecution) is { Key.Length: > 0 } entry)
                    {
                        entries[entry.Key] = entry;
                        continue;
                    }
                }
                catch (JsonException)
                {
                    // Counted below; a cache line is only ever an optimisation.
                }

                unreadable++;
            }
        }

        return new ExecutionCache(path, entries, unreadable);
    }

    public bool TryGet(string key, out CaseExecution execution)
    {
        // An entry that does not show the pinned version served it (written before the answer had to say so) is
        // called again: a cached answer counts only as what a fresh one would.
        if (_entries.TryGetValue(key, out var entry) && entry.ServedVersion == entry.Version)
        {
            execution = new CaseExecution
            {
                Output = entry.Output,
                ToolCalls = entry.ToolCalls ?? [],
                LatencyMs = entry.LatencyMs,
                CostUsd = entry.CostUsd,
                OutputTokens = entry.OutputTokens,
                ServedPrompt = entry.ServedPrompt,
                ServedVersion = entry.ServedVersion,
                FromCache = true,
                Attempts = 0,
            };
            return true;
        }

        execution = null!;
        return false;
    }

    /// <summary>Records a successful call; failed ones are ignored so they are retried next time.</summary>
    public async Task AddAsync(string key, CaseRequest request, string inputHash, CaseExecution execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(execution);
        if (!execution.Succeeded || execution.FromCache)
        {
            return;
        }

        var entry = new CachedExecution(
            key,
            request.Target.Name,
            request.Target.Version,
            request.Seed,
            inputHash,
            execution.Output,
            execution.ToolCalls,
            execution.LatencyMs,
            execution.CostUsd,
            execution.OutputTokens,
            execution.ServedPrompt,
            execution.ServedVersion,
            DateTimeOffset.UtcNow);
        // A fresh answer replaces an entry that did not show the pinned version served it (the line written later wins
        // when the file is read again); a valid one already there stays.
        var added = _entries.AddOrUpdate(key, entry, (_, existing) => existing.ServedVersion == existing.Version ? existing : entry);
        if (!ReferenceEquals(added, entry))
        {
            return;
        }

        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, RunningJsonContext.Default.CachedExecution) + "\n");
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One write of the whole line, flushed, so a crash loses at most the line being written.
            await _append.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await _append.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _append.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }
}
