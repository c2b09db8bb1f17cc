using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Pipeline;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// A key with a budget once had its prompt extracted and tokenized twice: by the reservation and
/// again by billing when the provider reported no usage. The request now carries one estimate.
/// </summary>
public sealed class PromptTokenizedOnceTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true, "2", "estimated", 1)]
    [InlineData(true, null, "reported", 1)]
    [InlineData(false, "2", "estimated", 1)]
    [InlineData(false, null, "reported", 0)]
    public async Task The_prompt_is_tokenized_at_most_once_per_request(bool budget, string? cutAfter, string source, int tokenizations)
    {
        var finished = new TaskCompletionSource<LlmExchange>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var gateway = await GatewayHost.StartAsync(
            env.GatewaySettings(),
            builder => builder.Services.AddSingleton<IStartupFilter>(new RequestFeatureCapture(finished)));
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("once", "test", [], budget ? new KeyLimits(null, null, 1_000_000) : null);
        using var client = gateway.CreateClient(secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Count me once"}]}""", Encoding.UTF8, "application/json"),
        };
        if (cutAfter is not null)
        {
            request.Headers.Add("x-mock-cut-after", cutAfter);
        }

        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var feature = await finished.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var comment = body.Split('\n').Single(l => l.StartsWith(": gateway-usage ", StringComparison.Ordinal));
        using var usage = JsonDocument.Parse(comment[": gateway-usage ".Length..]);
        Assert.Equal(source, usage.RootElement.GetProperty("source").GetString());
        Assert.Equal(source == "estimated" ? O200k.CountTokens("Count me once\n") : O200k.CountTokens("Count me once"), usage.RootElement.GetProperty("input_tokens").GetInt64());
        Assert.Equal(tokenizations, feature.InputEstimate.Tokenizations);
    }

    /// <summary>Hands over the gateway's request feature once the whole request has been handled.</summary>
    private sealed class RequestFeatureCapture(TaskCompletionSource<LlmExchange> finished) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate rest) =>
            {
                await rest(context);
                if (context.Features.Get<LlmExchange>() is { } feature)
                {
                    finished.TrySetResult(feature);
                }
            });
            next(app);
        };
    }
}
