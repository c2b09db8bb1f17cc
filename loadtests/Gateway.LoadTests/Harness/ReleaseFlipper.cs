using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Changes which version of a prompt is stable, either as an operator would (<c>PUT …/releases/{env}</c>: CAS, history,
/// published to every instance) or as a raw <c>SET</c> of the release key with a Redis client (no publish: instances
/// see it on their next revalidation tick), or as a rollout would (v2: <c>rollout start</c> at a 99% step; v1:
/// <c>rollout abort</c>, the same published release write as a rollback).
/// </summary>
internal sealed class ReleaseFlipper : IAsyncDisposable
{
    private const string KeyPrefix = "gw";

    /// <summary>
    /// A rollout whose one step never ends by itself (only the abort moves it), at 99%, the most a step may be: nearly
    /// every request before the abort is served v2, so the last one after it is seen to the request.
    /// </summary>
    private const string NearlyAllCanaryPlan = """{"steps":[{"weight":99,"min_duration":"24h"}],"metrics":[{"metric":"error","threshold":0.1}]}""";

    private readonly ControlPlane? _controlPlane;
    private readonly ConnectionMultiplexer? _redis;
    private readonly string _prompt;
    private readonly bool _rollouts;

    private ReleaseFlipper(string prompt, ControlPlane? controlPlane, ConnectionMultiplexer? redis, bool rollouts = false)
    {
        _prompt = prompt;
        _controlPlane = controlPlane;
        _redis = redis;
        _rollouts = rollouts;
    }

    public static ReleaseFlipper ThroughApi(string prompt, Uri gateway) => new(prompt, new ControlPlane(gateway), null);

    /// <summary>v2 = <c>rollout start</c> (v2 at 99%), v1 = <c>rollout abort</c>.</summary>
    public static ReleaseFlipper ThroughRollouts(string prompt, Uri gateway) => new(prompt, new ControlPlane(gateway), null, rollouts: true);

    public static async Task<ReleaseFlipper> ThroughRawSetAsync(string prompt, System.Net.IPEndPoint store) =>
        new(prompt, null, await ConnectionMultiplexer.ConnectAsync($"{store.Address}:{store.Port},password={HarnessStore.Password}"));

    /// <summary>The release key as documented in the README ("roll back with one redis-cli SET").</summary>
    public string ReleaseKey => $"{KeyPrefix}:{{p:{_prompt}}}:release:{ControlPlane.Environment}";

    public async Task FlipToAsync(int version)
    {
        if (_rollouts)
        {
            await (version == 1
                ? _controlPlane!.AbortRolloutAsync(_prompt, "load test: abort")
                : _controlPlane!.StartRolloutAsync(_prompt, version, NearlyAllCanaryPlan, "load test: rollout"));
            return;
        }

        if (_controlPlane is not null)
        {
            await _controlPlane.SetStableAsync(_prompt, version);
            return;
        }

        // Keeps the other fields (salt, sampling, previous_stable) as they are, like a careful operator would.
        var database = _redis!.GetDatabase();
        var current = await database.StringGetAsync(ReleaseKey);
        var release = current.HasValue ? JsonNode.Parse(current.ToString())!.AsObject() : [];
        release["stable"] = version;
        release["canary"] = null;
        release["canary_weight"] = 0;
        release["revision"] = (release["revision"]?.GetValue<long>() ?? 0) + 1;
        release["updated_at"] = DateTimeOffset.UtcNow.ToString("O");
        release["actor"] = "loadtest-raw-set";
        await database.StringSetAsync(ReleaseKey, release.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        _controlPlane?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
