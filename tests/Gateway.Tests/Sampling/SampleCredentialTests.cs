using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Sampling;

/// <summary>
/// Credentials a request carries in fields meant for them (a remote MCP tool's token, headers and URL; a tool's result
/// from a token endpoint) never reach a stored sample, end to end: a forced Responses request through the gateway.
/// </summary>
public sealed class SampleCredentialTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sampled_responses_request_with_mcp_tools_is_stored_without_their_credentials()
    {
        var settings = env.GatewaySettings();
        // Its own samples: listed by model without another test's.
        settings["Redis:KeyPrefix"] = env.KeyPrefix + ":credentials";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var debug = await PromptSetup.KeyAsync(gateway, GatewayKeyPermissions.Debug);
        const string Body = """
            {"model":"gpt-4o-mini","input":[{"role":"user","content":"list my files"},
               {"type":"function_call_output","call_id":"c1","output":"{\"access_token\":\"ya29.a0AfB_byC0123\",\"refresh_token\":\"1//0gLx9Qw\",\"token_type\":\"Bearer\"}"}],
             "tools":[{"type":"mcp","server_label":"dropbox","connector_id":"connector_dropbox","authorization":"sl.u.AbCdEf0123456789"},
                      {"type":"mcp","server_label":"crm","server_url":"https://mcp.example.com/s/8f2c41d07be9/mcp","headers":{"X-Api-Key":"3f9a1c55e0"}}]}
            """;

        using (var client = gateway.CreateClient(debug))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(Body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-Gateway-Sample", "true");
            request.Headers.Add("x-mock-reply", "done");
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var listed = Assert.Single(await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 1));
        var sample = await SampleWaiter.GetAsync(gateway, listed.GetProperty("id").GetString()!);
        var raw = sample.GetRawText();

        foreach (var secret in new[] { "ya29.a0AfB", "1//0gLx9Qw", "sl.u.AbCdEf", "8f2c41d07be9", "3f9a1c55e0" })
        {
            Assert.DoesNotContain(secret, raw, StringComparison.Ordinal);
        }

        Assert.Equal(7, sample.GetProperty("redactions").GetProperty("credential_field").GetInt32());
        var tools = sample.GetProperty("request").GetProperty("tools");
        Assert.Equal("connector_dropbox", tools[0].GetProperty("connector_id").GetString());
        Assert.Equal("https://mcp.example.com/[REDACTED:credential_field]", tools[1].GetProperty("server_url").GetString());
        Assert.Equal("done", sample.GetProperty("response").GetProperty("text").GetString());
    }
}
