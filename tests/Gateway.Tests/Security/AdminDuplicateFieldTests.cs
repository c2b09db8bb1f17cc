using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A field given twice in an admin body is refused (400 in OpenAI's shape, naming it), as <c>gatewayctl</c> refuses a
/// duplicate key in YAML: read leniently, the last one would win unseen (<c>"model"</c> twice pushes the second model;
/// <c>"verdict"</c> twice records the second verdict).
/// </summary>
public sealed class AdminDuplicateFieldTests(TestEnvironment env) : IDisposable
{
    private readonly AdminClient _admin = new(env.Gateway, TestEnvironment.AdminToken);

    public void Dispose() => _admin.Dispose();

    [Fact]
    public async Task A_bundle_with_a_field_given_twice_is_not_pushed()
    {
        var name = Bundles.UniqueName("dup");

        var top = await _admin.PushAsync(Bundles.Json(name, extra: """, "model": "gpt-4o" """));
        var nested = await _admin.PushAsync(Bundles.Json(name, extra: """, "params": { "temperature": 0, "temperature": 1 } """));
        var thresholds = await _admin.PushAsync(Bundles.Json(name, extra: """, "eval": { "thresholds": { "accuracy": 0.9, "accuracy": 0.1 } } """));

        AssertRefused(top, "invalid_bundle", "model");
        AssertRefused(nested, "invalid_bundle", "params.temperature");
        AssertRefused(thresholds, "invalid_bundle", "eval.thresholds.accuracy");
        Assert.Equal("prompt_not_found", (await _admin.GetAsync($"/admin/v1/prompts/{name}")).Expect(HttpStatusCode.NotFound).ErrorCode);
    }

    // Each body is refused as it is read, before the prompt, release or rollout it names is looked up.
    [Theory]
    [InlineData("PUT", "/releases/production", """{"version":1,"reason":"launch","version":2}""", "version")]
    [InlineData("POST", "/releases/production/abort", """{"reason":"r","evidence":{"error_rate":0.1,"error_rate":0}}""", "evidence.error_rate")]
    [InlineData("POST", "/evals", """{"verdict":"fail","candidate":{"version":1},"baseline":{"version":1},"verdict":"pass"}""", "verdict")]
    [InlineData("POST", "/rollouts/staging", """{"version":2,"plan":{"steps":[{"weight":5,"min_samples":500,"min_samples":5}]}}""", "plan.steps[0].min_samples")]
    [InlineData("POST", "/versions/1/approve", """{"reason":"a","reason":"b"}""", "reason")]
    public async Task An_admin_body_with_a_field_given_twice_is_400_naming_it(string method, string route, string body, string param)
    {
        var path = $"/admin/v1/prompts/{Bundles.UniqueName("dup")}{route}";

        var response = method == "PUT" ? await _admin.PutAsync(path, body) : await _admin.PostAsync(path, body);

        AssertRefused(response, "invalid_value", param);
    }

    private static void AssertRefused(AdminResponse response, string code, string param)
    {
        var error = response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains("twice", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
