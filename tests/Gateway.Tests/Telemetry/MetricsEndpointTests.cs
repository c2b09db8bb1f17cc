using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Telemetry;

/// <summary>The Prometheus scrape endpoint, read after real traffic through the gateway.</summary>
public sealed class MetricsEndpointTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_expose_the_genai_and_gateway_instruments_tagged_with_prompt_version_and_variant()
    {
        // A gateway of its own: the shared one carries every test's prompts, past the exporter's series limit.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        var name = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(gateway, "debug");
        using var client = gateway.CreateClient(key);
        foreach (var stream in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$$"""{"model":"prompt:{{{name}}}","stream":{{{(stream ? "true" : "false")}}},"messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Gateway-Sample", "true");
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync(Ct);
        }

        using var scraper = gateway.CreateClient(null);
        var labels = $"gateway_prompt_name=\"{name}\",gateway_prompt_variant=\"stable\",gateway_prompt_version=\"1\"";
        var text = "";
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                text = await scraper.GetStringAsync("/metrics", Ct);
                return text.Contains("gateway_samples_taken_total", StringComparison.Ordinal)
                    && Lines(text, "gen_ai_client_operation_duration_seconds_count", name).Any();
            },
            TimeSpan.FromSeconds(5)));

        foreach (var metric in new[]
        {
            "gen_ai_client_operation_duration_seconds_count",
            "gen_ai_client_operation_time_to_first_chunk_seconds_count",
            "gen_ai_client_token_usage_count",
            "gateway_cost_usd_total",
            "gateway_request_body_size_bytes_count",
        })
        {
            var line = Assert.Single(Lines(text, metric, name), l => !l.Contains("gen_ai_token_type", StringComparison.Ordinal) || l.Contains("\"input\"", StringComparison.Ordinal));
            Assert.Contains("gen_ai_operation_name=\"chat\"", line, StringComparison.Ordinal);
            Assert.Contains("gen_ai_provider_name=\"openai\"", line, StringComparison.Ordinal);
            Assert.Contains("gen_ai_request_model=\"gpt-4o-mini\"", line, StringComparison.Ordinal);
            foreach (var label in labels.Split(','))
            {
                Assert.Contains(label, line, StringComparison.Ordinal);
            }
        }

        Assert.Contains("gateway_samples_taken_total{", text, StringComparison.Ordinal);
        Assert.Contains("gateway_releases_snapshot_stale", text, StringComparison.Ordinal);
        Assert.Contains("gen_ai_token_type=\"output\"", text, StringComparison.Ordinal);

        // ASP.NET Core's server metrics are kept; the per-request routing and per-buffer memory pool meters are not
        // listened to, nor are the upstream HttpClient's (opt-in, below).
        Assert.Contains("http_server_request_duration_seconds_count{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aspnetcore_routing_match_attempts", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aspnetcore_memory_pool", text, StringComparison.Ordinal);
        Assert.DoesNotContain("http_client_request_duration", text, StringComparison.Ordinal);

        // Names and versions only: no key, no request id, no message text in any label.
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain("req_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Acme", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_5xx_answer_is_an_error_on_the_server_duration_metric_and_a_4xx_is_not()
    {
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        var key = await PromptSetup.KeyAsync(gateway, "debug");
        using var client = gateway.CreateClient(key);
        foreach (var status in new[] { "500", "400" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-mock-status", status);
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(status[0], ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)[0]);
        }

        using var scraper = gateway.CreateClient(null);
        var lines = Array.Empty<string>();
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                var text = await scraper.GetStringAsync("/metrics", Ct);
                lines = [.. text.Split('\n').Where(l => l.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal))];
                return lines.Any(l => l.Contains("http_response_status_code=\"5", StringComparison.Ordinal))
                    && lines.Any(l => l.Contains("http_response_status_code=\"4", StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(5)),
            "no 5xx and 4xx series:\n" + string.Join('\n', lines));

        // The gateway's 5xx carries its status as error.type. (The in-process mock's own series, without it, sit beside
        // the gateway's under the same meter in this test host, so the check is that such a series exists.)
        Assert.Contains(lines, l => l.Contains("http_response_status_code=\"500\"", StringComparison.Ordinal) && l.Contains("error_type=\"500\"", StringComparison.Ordinal));
        Assert.All(
            lines.Where(l => l.Contains("http_response_status_code=\"4", StringComparison.Ordinal)),
            l => Assert.DoesNotContain("error_type=", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upstream_http_client_metrics_are_exposed_when_turned_on()
    {
        // A command-line argument, as in production: the meters are chosen when the services are registered.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), "--Gateway:Telemetry:HttpClientMetrics=true");
        var key = await PromptSetup.KeyAsync(gateway, "debug");
        using var client = gateway.CreateClient(key);
        using var response = await client.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var scraper = gateway.CreateClient(null);
        var text = "";
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                text = await scraper.GetStringAsync("/metrics", Ct);
                return text.Contains("http_client_request_duration_seconds_count{", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(5)),
            "http.client.request.duration was not exported with Gateway:Telemetry:HttpClientMetrics=true");
    }

    [Fact]
    public async Task Past_the_series_limit_new_tag_sets_fold_into_one_overflow_series_and_none_is_lost()
    {
        // Four prompts, each its own gateway.prompt.name tag set, against a limit of two series.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), "--Gateway:Telemetry:MaxSeriesPerMetric=2");
        var prompts = Enumerable.Range(0, 4).Select(i => $"series-{i}-" + Guid.NewGuid().ToString("N")[..8]).ToArray();
        foreach (var name in prompts)
        {
            await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        }

        var key = await PromptSetup.KeyAsync(gateway, "debug");
        using var client = gateway.CreateClient(key);
        foreach (var name in prompts)
        {
            using var response = await client.PostAsync(
                "/v1/chat/completions",
                new StringContent($$$"""{"model":"prompt:{{{name}}}","messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
                Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // OpenTelemetry picks meters by name, so every gateway host in this test process reports into this scrape:
        // other tests' series may hold the two slots too, and the overflow series may count their requests as well.
        using var scraper = gateway.CreateClient(null);
        string[] own = [];
        string? overflow = null;
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                var series = (await scraper.GetStringAsync("/metrics", Ct)).Split('\n')
                    .Where(l => l.StartsWith("gen_ai_client_operation_duration_seconds_count{", StringComparison.Ordinal))
                    .ToArray();
                own = [.. series.Where(l => prompts.Any(p => l.Contains($"gateway_prompt_name=\"{p}\"", StringComparison.Ordinal)))];
                overflow = series.SingleOrDefault(l => l.Contains("otel_metric_overflow=\"true\"", StringComparison.Ordinal));
                return overflow is not null && own.Sum(Count) + Count(overflow) >= prompts.Length;
            },
            TimeSpan.FromSeconds(5)),
            $"every request is counted, in its own series or the overflow one: {string.Join(" | ", own)} | overflow: {overflow}");

        // At most two series of their own; the rest of the four were folded into the overflow series, not dropped.
        Assert.True(own.Length <= 2, string.Join(" | ", own));
        Assert.True(Count(overflow!) >= prompts.Length - own.Sum(Count), overflow);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    public async Task A_series_limit_out_of_range_fails_start_up_naming_the_setting(string limit)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(env.GatewaySettings(), "--Gateway:Telemetry:MaxSeriesPerMetric=" + limit));

        Assert.Contains("Gateway:Telemetry:MaxSeriesPerMetric", error.ToString(), StringComparison.Ordinal);
    }

    private static long Count(string line) => long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<string> Lines(string text, string metric, string prompt) =>
        text.Split('\n').Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"gateway_prompt_name=\"{prompt}\"", StringComparison.Ordinal));
}
