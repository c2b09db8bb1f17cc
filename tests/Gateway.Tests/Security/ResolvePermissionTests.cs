using System.Net;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Cli;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: <c>GET /v1/prompts/{name}/resolve</c> returns the templates, the product's IP, so it needs the key
/// permission <c>resolve</c>; any other key (even one that may pin) gets a 403 in OpenAI's error shape. The
/// permission is granted like the others: by the admin API and by <c>gatewayctl keys create --permission</c>.
/// </summary>
public sealed class ResolvePermissionTests(TestEnvironment env)
{
    private const string Template = "v1 for {{ company }}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_without_the_resolve_permission_is_403_and_shows_no_template()
    {
        var name = Bundles.UniqueName("resolve-denied");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);

        foreach (var permissions in new[] { Array.Empty<string>(), [GatewayKeyPermissions.Pin, GatewayKeyPermissions.Debug] })
        {
            var key = await PromptSetup.KeyAsync(env.Gateway, permissions);
            using var response = await ResolveAsync(key, name);

            var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Forbidden, "resolve_not_permitted");
            Assert.Equal("permission_error", error.GetProperty("type").GetString());
            Assert.Contains("'resolve'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("{{ company }}", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_key_granted_resolve_through_the_admin_api_reads_the_bundle()
    {
        var name = Bundles.UniqueName("resolve-admin");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var created = (await operatorClient.PostAsync("/admin/v1/keys", $$"""{"app":"resolver","environment":"{{PromptSetup.Environment}}","permissions":["resolve"]}"""))
            .Expect(HttpStatusCode.Created).Json;
        using var response = await ResolveAsync(created.GetProperty("key").GetString()!, name);

        Assert.Equal(["resolve"], created.GetProperty("record").GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        await AssertResolvedAsync(response);
    }

    [Fact]
    public async Task A_key_granted_resolve_by_gatewayctl_reads_the_bundle()
    {
        var name = Bundles.UniqueName("resolve-cli");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await GatewayCtl.RunAsync(
            ["--json", "keys", "create", "--app", "resolver-cli", "--env", PromptSetup.Environment, "--permission", "resolve"],
            stdout,
            stderr,
            handler: null,
            new Dictionary<string, string?> { ["GATEWAY_URL"] = env.Gateway.BaseUrl.ToString(), ["GATEWAY_ADMIN_TOKEN"] = TestEnvironment.OperatorToken },
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, $"exit {exit}\nstdout: {stdout}\nstderr: {stderr}");
        using var json = JsonDocument.Parse(stdout.ToString());
        using var response = await ResolveAsync(json.RootElement.GetProperty("key").GetString()!, name);
        await AssertResolvedAsync(response);
    }

    private static async Task AssertResolvedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(Template, json.RootElement.GetProperty("bundle").GetProperty("messages")[0].GetProperty("content").GetString());
    }

    private async Task<HttpResponseMessage> ResolveAsync(string key, string name)
    {
        using var client = env.Gateway.CreateClient(key);
        return await client.GetAsync(new Uri($"/v1/prompts/{name}/resolve", UriKind.Relative), Ct);
    }
}
