using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// The admin API calls the harness makes, with the two admin tokens it configures (alice: author + operator, bob:
/// approver): what an operator would do with <c>gatewayctl</c>, so the set-up exercises the real control plane.
/// </summary>
internal sealed class ControlPlane(Uri gateway) : IDisposable
{
    public const string OperatorToken = "sk-lt-admin-alice";
    public const string ApproverToken = "sk-lt-approver-bob";
    public const string Environment = "production";

    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A gateway key for the environment the prompts are released in.</summary>
    public async Task<string> CreateKeyAsync()
    {
        var response = await SendAsync(HttpMethod.Post, "/admin/v1/keys", OperatorToken, new JsonObject { ["app"] = "loadtest", ["environment"] = Environment });
        return response["key"]!.GetValue<string>();
    }

    /// <summary>
    /// Pushes v1 and v2 of the load-test bundle, approves both (production is protected) and releases v1; optionally
    /// a canary of v2 at <paramref name="canaryWeightBps"/> and a sampling policy.
    /// </summary>
    public async Task SetUpPromptAsync(string name, int canaryWeightBps, double? samplingRate)
    {
        for (var version = 1; version <= 2; version++)
        {
            await SendAsync(HttpMethod.Post, "/admin/v1/prompts", OperatorToken, JsonNode.Parse(LoadTestBundle.Bundle(name, version))!);
            await SendAsync(HttpMethod.Post, $"/admin/v1/prompts/{name}/versions/{version}/approve", ApproverToken, new JsonObject { ["reason"] = "load test" });
        }

        await SetStableAsync(name, 1);
        if (canaryWeightBps > 0)
        {
            await SendAsync(HttpMethod.Post, $"/admin/v1/prompts/{name}/releases/{Environment}/canary", OperatorToken, new JsonObject
            {
                ["version"] = 2,
                ["weight"] = canaryWeightBps,
                ["reason"] = "load test canary",
            });
        }

        if (samplingRate is { } rate)
        {
            await SendAsync(HttpMethod.Put, $"/admin/v1/prompts/{name}/releases/{Environment}/sampling", OperatorToken, new JsonObject
            {
                ["sampling"] = new JsonObject { ["stable"] = rate, ["canary"] = rate },
                ["reason"] = "load test sampling",
            });
        }
    }

    /// <summary><c>release set</c>: stable = <paramref name="version"/>, canary cleared.</summary>
    public Task SetStableAsync(string name, int version) =>
        SendAsync(HttpMethod.Put, $"/admin/v1/prompts/{name}/releases/{Environment}", OperatorToken, new JsonObject
        {
            ["version"] = version,
            ["reason"] = "load test",
        });

    /// <summary>
    /// <c>rollout start</c>: <c>POST /admin/v1/prompts/{name}/rollouts/{env}</c> with <paramref name="plan"/> (a plan's JSON);
    /// its first step is applied to the release at once.
    /// </summary>
    public Task StartRolloutAsync(string name, int version, string plan, string reason) =>
        SendAsync(HttpMethod.Post, $"/admin/v1/prompts/{name}/rollouts/{Environment}", OperatorToken, new JsonObject
        {
            ["version"] = version,
            ["plan"] = JsonNode.Parse(plan),
            ["reason"] = reason,
        });

    /// <summary><c>rollout abort</c>: <c>POST /admin/v1/prompts/{name}/rollouts/{env}/abort</c> (canary weight to 0, published).</summary>
    public Task AbortRolloutAsync(string name, string reason) =>
        SendAsync(HttpMethod.Post, $"/admin/v1/prompts/{name}/rollouts/{Environment}/abort", OperatorToken, new JsonObject { ["reason"] = reason });

    /// <summary>A read of the admin API (e.g. <c>/admin/v1/usage?…</c>) with the operator's token (who is also a viewer).</summary>
    public async Task<JsonNode> GetAsync(string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {pathAndQuery} answered {(int)response.StatusCode}: {text}");
        }

        return JsonNode.Parse(text)!;
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string token, JsonNode body)
    {
        // A set-up call right after start can meet a store still warming (503 store_unavailable, "retry shortly"):
        // retried as the answer asks, a few times with growing pauses; every other refusal fails the run at once.
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path)
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < StoreRetries
                && text.Contains("\"store_unavailable\"", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt));
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
            }

            return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
        }
    }

    private const int StoreRetries = 5;
}
