using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Successful calls, keyed by (prompt, version, input hash, seed, and the runner's scope: for <c>gatewayctl</c> the
/// gateway's base URL, each version's bundle id and whether the call streamed), appended to <c>executions.jsonl</c> in
/// a cache directory as they complete. A re-run, or a run resumed after a crash, reuses them instead of paying again.
/// Failed calls are not cached, so a re-run retries them. A torn last line (a crash mid-write) or any other
/// unreadable line is only a cache miss; <see cref="UnreadableLines"/> counts them. A directory that cannot be
/// opened is an <see cref="ExecutionCacheException"/>; a write that fails later only stops the writing (the run goes on).
/// </summary>
internal sealed class ExecutionCache : IAsyncDisposable
{
    public const string FileName = "executions.jsonl";

    private readonly ConcurrentDictionary<string, CachedExecution> _entries;
    private readonly Stream _append;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Action<string>? _writeFailed;
    private bool _writing = true;

    private ExecutionCache(string path, ConcurrentDictionary<string, CachedExecution> entries, int unreadable, Stream append, Action<string>? writeFailed)
    {
        Path = path;
        _entries = entries;
        UnreadableLines = unreadable;
        _append = append;
        _writeFailed = writeFailed;
    }

    public string Path { get; }

    public int Count => _entries.Count;

    public int UnreadableLines { get; }

    /// <summary>Opens (creating if needed) the cache in <paramref name="directory"/> and loads its entries.</summary>
    /// <param name="writeFailed">
    /// Told once, with the reason, when a write fails: the cache then stops writing and the run goes on uncached, since a
    /// full disk or a removed folder mid-run must not throw away the calls already paid for.
    /// </param>
    /// <param name="openAppend">Opens the file to append to (tests pass a stream that fails); a <see cref="FileStream"/> by default.</param>
    /// <exception cref="ExecutionCacheException">The directory is a file, or it or its file cannot be created, read or written.</exception>
    public static async Task<ExecutionCache> OpenAsync(
        string directory,
        CancellationToken cancellationToken,
        Action<string>? writeFailed = null,
        Func<string, Stream>? openAppend = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        try
        {
            Directory.CreateDirectory(directory);
            var path = System.IO.Path.Combine(directory, FileName);
            var (entries, unreadable) = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            var append = openAppend?.Invoke(path) ?? new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
            return new ExecutionCache(path, entries, unreadable, append, writeFailed);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ExecutionCacheException($"Cannot use the cache directory {directory}: {ex.Message}", ex);
        }
    }

    private static async Task<(ConcurrentDictionary<string, CachedExecution> Entries, int Unreadable)> ReadAsync(string path, CancellationToken cancellationToken)
    {
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

        return (entries, unreadable);
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
            if (!_writing)
            {
                return;
            }

            // One write of the whole line, flushed, so a crash loses at most the line being written.
            await _append.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await _append.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StopWriting(ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _append.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Closing flushes what a failed write left in the buffer, and fails the same way: said once, not thrown.
            StopWriting(ex);
        }

        _writeLock.Dispose();
    }

    /// <summary>A torn line from the failed write is only a miss when the file is read again (see the class's remarks).</summary>
    private void StopWriting(Exception failure)
    {
        if (!_writing)
        {
            return;
        }

        _writing = false;
        _writeFailed?.Invoke($"cannot write the cache {Path}: {failure.Message}; the rest of this run's answers are not cached");
    }
}
