using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Telemetry;

/// <summary>Logs at Information and above never carry prompt text, response text or secrets, on success or failure.</summary>
public sealed class LogHygieneTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_prompt_text_response_text_or_secret_reaches_the_logs_at_information_or_above()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(
            env.GatewaySettings(),
            builder => builder.Logging.AddProvider(logs),
            "--Logging:LogLevel:Default=Information");
        var name = "logs-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(gateway, "debug");
        const string Secret = "PROMPT-TEXT-7f3a";
        const string Reply = "RESPONSE-TEXT-91bc";

        // Success (streamed and not, sampled), a provider 500, a provider that is down, and bad input.
        await SendAsync(gateway, key, $"prompt:{name}", stream: true, ("X-Gateway-Sample", "true"), ("x-mock-reply", Reply));
        await SendAsync(gateway, key, $"prompt:{name}", stream: false, ("X-Gateway-Sample", "true"), ("x-mock-reply", Reply));
        await SendAsync(gateway, key, "gpt-4o-mini", stream: false, ("x-mock-status", "500"));
        await SendAsync(gateway, key, "dead-model", stream: false);
        await SendAsync(gateway, key, $"prompt:{name}", stream: false, ("X-Prompt-Version", "1"));
        using (var client = gateway.CreateClient(key))
        using (var broken = new StringContent("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"content\":\"" + Secret, Encoding.UTF8, "application/json"))
        {
            await client.PostAsync("/v1/chat/completions", broken, Ct);
        }

        await SampleWaiter.ListAsync(gateway, $"prompt={name}", 2);

        var lines = logs.Lines.Where(l => l.Level >= LogLevel.Information).ToList();
        Assert.NotEmpty(lines);
        foreach (var forbidden in new[] { Secret, Reply, key, TestEnvironment.ProviderKey, TestEnvironment.AdminToken, TestEnvironment.ViewerToken, TestEnvironment.OperatorToken, TestEnvironment.AuthorToken, "Acme" })
        {
            Assert.DoesNotContain(lines, l => l.Text.Contains(forbidden, StringComparison.Ordinal));
        }

        async Task SendAsync(GatewayHost host, string apiKey, string model, bool stream, params (string Name, string Value)[] headers)
        {
            using var client = host.CreateClient(apiKey);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$$"""{"model":"{{{model}}}","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"{{{Secret}}}"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
            };
            foreach (var (header, value) in headers)
            {
                request.Headers.Add(header, value);
            }

            using var response = await client.SendAsync(request, Ct);
            await response.Content.ReadAsStringAsync(Ct);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
