using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Errors;

/// <summary>
/// The statuses ASP.NET Core answers by itself, with no body (a path nothing serves, a method an endpoint does not
/// take, a query value that does not bind to its type), carry OpenAI's error shape like the gateway's own errors.
/// </summary>
public sealed class FrameworkErrorShapeTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/admin/v1/audit?limit=abc")]
    [InlineData("/admin/v1/prompts/x/history?env=staging&from=yesterday")]
    public async Task A_query_value_that_does_not_bind_is_a_400_in_the_openai_shape(string path)
    {
        using var admin = env.Gateway.CreateClient(TestEnvironment.AdminToken);

        using var response = await admin.GetAsync(path, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_parameter");
    }

    [Fact]
    public async Task A_method_an_openai_endpoint_does_not_take_is_a_405_in_the_openai_shape()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var response = await client.GetAsync("/v1/chat/completions", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task A_path_nothing_serves_is_a_404_in_the_openai_shape()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var response = await client.PostAsync("/v1/no-such-thing", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_404_repeats_at_most_256_characters_of_the_path()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        var path = "/v1/" + new string('p', 6000);

        using var response = await client.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.NotFound, "not_found");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("/v1/ppp", message, StringComparison.Ordinal);
        Assert.True(message.Length < 300, $"a message of {message.Length} characters");
    }
}
