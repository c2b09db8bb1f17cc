using System.Text.Json;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Releases;
using LlmGateway.Releases;
using LlmGateway.Serialization;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Prompts;

/// <summary>
/// Immutable, versioned bundles in the store. A push is one Lua script in the prompt's hash
/// slot: idempotent on content id, monotonic version, write-once bundle, draft status and the
/// <c>create</c> event, all or nothing.
/// </summary>
internal sealed class PromptRegistry(GatewayStore store, ChangeNotifier notifier, TimeProvider time, IOptions<PromptLimitsOptions> limits)
{
    /// <summary>Reads and conditional writes one approval tries; each failed one means the prompt's statuses changed.</summary>
    private const int MaxApproveAttempts = 20;

    // KEYS: ids, seq, bundles, status, history.
    // ARGV: content id, bundle json, status json, event json, score, version placeholder, parent placeholder.
    // The placeholders are random per push (letters and digits only: no Lua pattern characters), so
    // no bundle content can contain them.
    private const string PushScript = """
        local existing = redis.call('HGET', KEYS[1], ARGV[1])
        if existing then return {0, tonumber(existing)} end
        local parent = tonumber(redis.call('GET', KEYS[2]) or '0')
        local version = redis.call('INCR', KEYS[2])
        local parentJson = 'null'
        if parent > 0 then parentJson = tostring(parent) end
        local bundle = string.gsub(ARGV[2], ARGV[6], tostring(version), 1)
        bundle = string.gsub(bundle, ARGV[7], parentJson, 1)
        redis.call('HSET', KEYS[3], tostring(version), bundle)
        redis.call('HSET', KEYS[1], ARGV[1], tostring(version))
        redis.call('HSET', KEYS[4], tostring(version), ARGV[3])
        local event = string.gsub(ARGV[4], ARGV[6], tostring(version), 1)
        redis.call('ZADD', KEYS[5], ARGV[5], event)
        return {1, version}
        """;

    /// <summary>
    /// Whether a push of <paramref name="name"/> would be refused for the registry's size: a new name once
    /// <see cref="PromptLimitsOptions.MaxPrompts"/> are held. Checked before the push; instances pushing new names at the same
    /// moment may each pass it, so the index can end a few over, never without bound.
    /// </summary>
    public async Task<bool> IsFullForAsync(string name)
    {
        var keys = store.Keys;
        var batch = store.Database.CreateBatch();
        var indexed = batch.SetContainsAsync(keys.PromptIndex, name);
        // A push whose script landed and whose index write failed left a prompt the index lacks: its retry is no new name.
        var pushed = batch.KeyExistsAsync(keys.PromptSequence(name));
        var count = batch.SetLengthAsync(keys.PromptIndex);
        batch.Execute();
        return !await indexed && !await pushed && await count >= limits.Value.MaxPrompts;
    }

    /// <returns>The stored bundle and whether this push created it.</returns>
    public async Task<(PromptBundle Bundle, bool Created)> PushAsync(PromptBundleContent content, string id, string author)
    {
        var name = content.Name!;
        var now = time.GetUtcNow();
        var bundle = new PromptBundle
        {
            Id = id,
            Name = name,
            Label = content.Label,
            Message = content.Message,
            Author = author,
            CreatedAt = now,
            Model = content.Model!,
            Messages = content.Messages!,
            Variables = content.Variables ?? [],
            Params = content.Params ?? new PromptParams(),
            SystemMessagePolicy = content.SystemMessagePolicy ?? SystemMessagePolicies.Keep,
            Retrieval = content.Retrieval,
            Eval = content.Eval,
            OnlineEval = content.OnlineEval,
            Rollout = content.Rollout,
            ModelFallback = content.ModelFallback,
        };

        var token = Guid.NewGuid().ToString("N");
        var versionPlaceholder = "VERSION" + token;
        var parentPlaceholder = "PARENT" + token;

        // Only the first occurrence is the top-level field: "version" and "parent" are written
        // before any user content, and inside strings their quotes would be escaped.
        var bundleJson = ReplaceFirst(ReplaceFirst(JsonSerializer.Serialize(bundle, GatewayJsonContext.Default.PromptBundle),
            "\"version\":0", "\"version\":" + versionPlaceholder), "\"parent\":null", "\"parent\":" + parentPlaceholder);
        var createEvent = ActivationEvents.ForVersion("create", name, author, content.Message, now) with { Version = -1 };
        var eventJson = ReplaceFirst(JsonSerializer.Serialize(createEvent, GatewayJsonContext.Default.ActivationEvent), "\"version\":-1", "\"version\":" + versionPlaceholder);

        var keys = store.Keys;
        var result = (RedisResult[])(await store.Database.ScriptEvaluateAsync(
            PushScript,
            [keys.PromptContentIds(name), keys.PromptSequence(name), keys.PromptBundles(name), keys.PromptStatus(name), keys.History(name)],
            [id, bundleJson, JsonSerializer.Serialize(PromptVersionStatus.NewDraft, GatewayJsonContext.Default.PromptVersionStatus), eventJson, now.ToUnixTimeMilliseconds(), versionPlaceholder, parentPlaceholder]))!;

        var created = (int)result[0] == 1;
        var version = (int)result[1];
        await store.Database.SetAddAsync(keys.PromptIndex, name);
        if (created)
        {
            await notifier.PublishPromptChangedAsync(name);
        }
        var stored = await GetAsync(name, version) ?? throw new InvalidOperationException($"Bundle {name} v{version} vanished after push.");
        return (stored.Bundle, created);
    }

    public async Task<(PromptBundle Bundle, PromptVersionStatus Status)?> GetAsync(string name, int version)
    {
        var batch = store.Database.CreateBatch();
        var bundleTask = batch.HashGetAsync(store.Keys.PromptBundles(name), version);
        var statusTask = batch.HashGetAsync(store.Keys.PromptStatus(name), version);
        batch.Execute();
        var bundle = await bundleTask;
        if (bundle.IsNull)
        {
            return null;
        }

        var status = await statusTask;
        return (Deserialize(bundle!), status.IsNull ? PromptVersionStatus.NewDraft : DeserializeStatus(status!));
    }

    /// <summary>Just the immutable bundle, for the prepared-bundle cache (the snapshot loader and pins).</summary>
    public async Task<PromptBundle?> GetBundleAsync(string name, int version)
    {
        var value = await store.Database.HashGetAsync(store.Keys.PromptBundles(name), version);
        return value.IsNull ? null : Deserialize(value!);
    }

    /// <summary>
    /// The stable or canary version of <paramref name="release"/> that was never pushed, if any: a value written by hand
    /// may name one, and every instance ignores such a release. One read per version, nothing parsed.
    /// </summary>
    public async Task<int?> MissingVersionAsync(string name, ReleaseRecord release)
    {
        foreach (var version in (int?[])[release.Stable, release.Canary])
        {
            if (version is { } v && !await store.Database.HashExistsAsync(store.Keys.PromptBundles(name), v))
            {
                return v;
            }
        }

        return null;
    }

    public async Task<IReadOnlyList<PromptBundleView>> ListVersionsAsync(string name)
    {
        var batch = store.Database.CreateBatch();
        var bundlesTask = batch.HashGetAllAsync(store.Keys.PromptBundles(name));
        var statusTask = batch.HashGetAllAsync(store.Keys.PromptStatus(name));
        batch.Execute();
        var statuses = (await statusTask).ToDictionary(e => (string)e.Name!, e => DeserializeStatus(e.Value!), StringComparer.Ordinal);
        return [.. (await bundlesTask)
            .Select(e => PromptBundleViews.From(Deserialize(e.Value!), statuses.GetValueOrDefault((string)e.Name!) ?? PromptVersionStatus.NewDraft))
            .OrderBy(v => v.Version)];
    }

    public async Task<IReadOnlyList<string>> ListNamesAsync() =>
        [.. (await store.Database.SetMembersAsync(store.Keys.PromptIndex)).Select(v => (string)v!).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Marks a version approved and records the <c>approve</c> event, atomically, once: the write is conditional on the
    /// status read, so of two approvals at the same moment one records the event and the other returns its status.
    /// </summary>
    /// <returns>The version's status; null when its prompt's statuses changed under every attempt (nothing written).</returns>
    public async Task<PromptVersionStatus?> ApproveAsync(string name, int version, string approver, string? reason)
    {
        var database = store.Database;
        var key = store.Keys.PromptStatus(name);
        // The transaction watches the prompt's whole status hash: a push or another version's approval also fails it,
        // so it reads again, a bounded number of times.
        for (var attempt = 0; attempt < MaxApproveAttempts; attempt++)
        {
            var read = await database.HashGetAsync(key, version);
            if (!read.IsNull && DeserializeStatus(read!) is { IsApproved: true } approved)
            {
                return approved;
            }

            var now = time.GetUtcNow();
            var status = new PromptVersionStatus(PromptVersionStatus.Approved, approver, now);
            var approveEvent = ActivationEvents.ForVersion("approve", name, approver, reason, now) with { Version = version };
            var transaction = database.CreateTransaction();
            transaction.AddCondition(read.IsNull ? Condition.HashNotExists(key, version) : Condition.HashEqual(key, version, read));
            _ = transaction.HashSetAsync(key, version, JsonSerializer.Serialize(status, GatewayJsonContext.Default.PromptVersionStatus));
            _ = transaction.SortedSetAddAsync(store.Keys.History(name), JsonSerializer.Serialize(approveEvent, GatewayJsonContext.Default.ActivationEvent), now.ToUnixTimeMilliseconds());
            if (await transaction.ExecuteAsync())
            {
                return status;
            }
        }

        return null;
    }

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException($"'{find}' not found in a serialised record.") : string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + find.Length));
    }

    private static PromptBundle Deserialize(string json) =>
        JsonSerializer.Deserialize(json, GatewayJsonContext.Default.PromptBundle) ?? throw new InvalidDataException("Empty bundle record.");

    private static PromptVersionStatus DeserializeStatus(string json) =>
        JsonSerializer.Deserialize(json, GatewayJsonContext.Default.PromptVersionStatus) ?? PromptVersionStatus.NewDraft;
}
