using System.Collections.Frozen;
using LlmGateway.Auth;
using LlmGateway.Prompts;
using LlmGateway.Rewriting;
using LlmGateway.Store;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Releases;

/// <summary>
/// Keeps this instance's <see cref="ReleaseSnapshot"/> in step with the store (<see cref="StoreStateFollower"/>):
/// immediately on a published change (≈ one round-trip), every
/// <see cref="ReleaseOptions.RevalidationIntervalMs"/> for raw writes nobody published, and in
/// full after a reconnect. When the store is unreachable the last known good snapshot stays.
/// </summary>
internal sealed class ReleaseSyncService(
    GatewayStore store,
    PromptRegistry registry,
    PreparedBundleCache bundles,
    ActivationHistory history,
    ReleaseSnapshotProvider snapshots,
    GatewayKeyAuthenticator keys,
    ChangeNotifier notifier,
    GatewayMetrics metrics,
    IOptions<ReleaseOptions> options,
    TimeProvider time,
    ILogger<ReleaseSyncService> logger) : StoreStateFollower(store, notifier)
{
    private readonly HashSet<string> _reportedInvalid = new(StringComparer.Ordinal);
    private readonly ReleaseOptions _options = options.Value;

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(_options.RevalidationIntervalMs);

    protected override Task ReloadAsync() => RefreshAsync();

    protected override void OnChange(string message)
    {
        if (message.StartsWith(ChangeNotifier.KeyKind + "|", StringComparison.Ordinal))
        {
            keys.Evict(message[(ChangeNotifier.KeyKind.Length + 1)..]);
        }
        else
        {
            RequestReload();
        }
    }

    internal async Task RefreshAsync()
    {
        var previous = snapshots.Current;
        try
        {
            var names = await registry.ListNamesAsync();
            var environments = _options.Environments;
            var batch = Store.Database.CreateBatch();
            var reads = new List<(string Prompt, string Environment, Task<RedisValue> Value)>(names.Count * environments.Length);
            foreach (var name in names)
            {
                foreach (var environment in environments)
                {
                    reads.Add((name, environment, batch.StringGetAsync(Store.Keys.Release(name, environment))));
                }
            }

            batch.Execute();

            var next = new Dictionary<(string Prompt, string Environment), ActiveRelease>();
            var changed = false;
            foreach (var (prompt, environment, value) in reads)
            {
                var key = ReleaseSnapshot.Key(prompt, environment);
                previous.TryGet(prompt, environment, out var old);
                string? raw;
                try
                {
                    raw = (string?)await value;
                }
                catch (RedisServerException)
                {
                    // One key of the wrong type must not freeze every other release.
                    if (old is not null)
                    {
                        next[key] = old;
                    }

                    ReportInvalid(prompt, environment, prompt + "\n" + environment, "the key does not hold a string");
                    continue;
                }

                if (raw is null)
                {
                    changed |= old is not null;
                    continue;
                }

                if (old is not null && old.RawJson == raw)
                {
                    next[key] = old;
                    continue;
                }

                var resolved = await ResolveAsync(prompt, environment, raw, old);
                if (resolved is null)
                {
                    // Invalid or dangling: the previous value stays in force.
                    if (old is not null)
                    {
                        next[key] = old;
                    }

                    continue;
                }

                next[key] = resolved;
                changed = true;
                if (await history.RecordExternalChangeAsync(prompt, environment, raw, old?.Record, resolved.Record))
                {
                    ReleaseLog.ExternalChange(logger, prompt, environment, resolved.Record.Stable, resolved.Record.Canary);
                }
            }

            var prompts = names.ToFrozenSet(StringComparer.Ordinal);
            changed |= prompts.Count != previous.PromptCount;
            if (changed || !previous.IsLoaded)
            {
                snapshots.Publish(new ReleaseSnapshot(next.ToFrozenDictionary(), prompts, time.GetUtcNow()));
                ReleaseLog.Swapped(logger, next.Count);
            }
            else
            {
                snapshots.MarkRefreshed();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong, the last known good snapshot stays and the loop keeps running:
            // a background service that throws would stop the host.
            snapshots.MarkFailed();
            metrics.SnapshotRefreshFailures.Add(1);
            ReleaseLog.RefreshFailed(logger, ex.GetType().Name, previous.LoadedAt);
        }
    }

    private async Task<ActiveRelease?> ResolveAsync(string prompt, string environment, string raw, ActiveRelease? old)
    {
        if (!ReleaseJson.TryParse(raw, out var record) || record is null)
        {
            ReportInvalid(prompt, environment, raw, "the value is not a valid release record");
            return null;
        }

        PreparedBundle? stable, canary;
        string? stableProblem, canaryProblem;
        try
        {
            (stable, stableProblem) = await BundleAsync(prompt, record.Stable, old);
            (canary, canaryProblem) = await BundleAsync(prompt, record.Canary, old);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or RedisException or TimeoutException))
        {
            ReportInvalid(prompt, environment, raw, $"a bundle it names cannot be read ({ex.GetType().Name})");
            return null;
        }

        if ((stableProblem ?? canaryProblem) is { } problem)
        {
            ReportInvalid(prompt, environment, raw, $"stable {record.Stable}, canary {record.Canary}: {problem}");
            return null;
        }

        return new ActiveRelease(prompt, environment, record, raw, stable, canary);
    }

    // A version the release already serves keeps its prepared bundle and render memo (a weight step, a promotion), put
    // back in the cache if it started over meanwhile; only a version new to the release is read and prepared.
    private async ValueTask<(PreparedBundle? Bundle, string? Problem)> BundleAsync(string prompt, int? version, ActiveRelease? old) =>
        version is not { } v ? (null, null)
        : old?.Serving(v) is { } serving ? (bundles.Keep(prompt, v, serving), null)
        : await bundles.GetAsync(prompt, v);

    private void ReportInvalid(string prompt, string environment, string raw, string problem)
    {
        lock (_reportedInvalid)
        {
            // Only to log each bad value once; bounded so a stream of bad writes cannot grow it.
            if (_reportedInvalid.Count > 1000)
            {
                _reportedInvalid.Clear();
            }

            if (!_reportedInvalid.Add(raw))
            {
                return;
            }
        }

        ReleaseLog.InvalidRelease(logger, prompt, environment, problem);
    }
}
