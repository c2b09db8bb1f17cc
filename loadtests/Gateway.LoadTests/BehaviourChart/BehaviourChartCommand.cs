using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Auth;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Behaviour;
using LlmGateway.Hosting;
using LlmGateway.LoadTests.Commands;
using LlmGateway.MockProvider;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.LoadTests.BehaviourChart;

/// <summary>
/// <c>behaviour-chart</c> (issue #16: the README's chart of real per-arm series): the end-to-end online evaluation
/// scenario of tests/Gateway.Tests/Behaviour/OnlineEvaluationTests, longer, rendered. In this process: the mock
/// provider, and a gateway (<see cref="GatewayApp.BuildAsync"/>, its own embedded Garnet) sampling every prompt
/// request, its evaluator scoring every 50 ms, on a <see cref="ShiftedTimeProvider"/>. v1 ("v1 for {{ company }}") and
/// v2 (the same plus <c>[[mock:refuse=0.3]]</c>) are pushed with an online <c>not-is-refusal</c> assertion, v1 is
/// released to staging, <c>--stable-minutes</c> simulated minutes of traffic go to it, a canary of v2 starts
/// (<c>--canary-percent</c>, reason "try v2"), and <c>--canary-minutes</c> more follow; each simulated minute is
/// <c>--per-minute</c> requests with distinct texts and users, then the clock jumps to the next minute. Once the
/// evaluator has scored every request the detector looks once (<see cref="BehaviourChangeDetector.DetectAsync(string, string)"/>),
/// and the refusal series are read back from <c>GET /admin/v1/prompts/{name}/behaviour</c> per version and variant,
/// printed and drawn (<see cref="BehaviourChartPlot"/>) to <c>--out</c>. Exit 1 when something the chart shows did not
/// happen: a request failed, a sample was not scored, or no refusal change was found.
/// </summary>
internal static class BehaviourChartCommand
{
    private const string Environment = "staging";
    private const string Prompt = "support-reply";
    private const string OperatorToken = "sk-behaviour-chart-olga";
    private const string OnlineEval = ""","online_eval":{"assert":[{"type":"not-is-refusal","metric":"answered"}]}""";

    private static readonly string[] Questions =
    [
        "Where is my parcel", "Can I change my delivery address", "How do I return a jacket", "Why was I charged twice",
        "When does the sale end", "Can I pay in instalments", "Is this model waterproof", "How do I reset my password",
    ];

    public static Command Create()
    {
        var outOption = new Option<string>("--out")
        {
            Description = "Where the PNG goes (its folder is created).",
            HelpName = "path",
            DefaultValueFactory = _ => Path.Combine("docs", "images", "behaviour-canary.png"),
        };
        var perMinuteOption = NumberOption.Create("--per-minute", "Requests per simulated minute.", 60, 10, 1000);
        var stableOption = NumberOption.Create("--stable-minutes", "Simulated minutes of v1 alone before the canary.", 5, 2, 60);
        var canaryOption = NumberOption.Create("--canary-minutes", "Simulated minutes with the canary of v2.", 10, 2, 60);
        var percentOption = NumberOption.Create("--canary-percent", "The canary's share of traffic.", 50, 1, 99);
        var command = new Command("behaviour-chart", "The end-to-end online evaluation scenario (a canary that refuses 30% of the time), in process on a simulated clock, rendered per arm to a PNG.");
        command.Options.Add(outOption);
        command.Options.Add(perMinuteOption);
        command.Options.Add(stableOption);
        command.Options.Add(canaryOption);
        command.Options.Add(percentOption);
        HarnessAction.Set(command, result => RunAsync(
            result.GetValue(outOption)!,
            result.GetValue(perMinuteOption),
            result.GetValue(stableOption),
            result.GetValue(canaryOption),
            result.GetValue(percentOption)));
        return command;
    }

    private static async Task<int> RunAsync(string output, int perMinute, int stableMinutes, int canaryMinutes, int canaryPercent)
    {
        await Console.Error.WriteLineAsync("behaviour-chart: starting the mock provider and a gateway (embedded Garnet, evaluator on, shifted clock)...");
        await using var mock = MockProviderApp.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await mock.StartAsync();
        var mockUrl = new Uri(mock.Urls.First());

        var clock = new ShiftedTimeProvider();
        await using var gateway = await GatewayApp.BuildAsync(
            [
                "--urls", "http://127.0.0.1:0",
                // No config folder (the repo's config/ names real providers): everything the scenario needs is below.
                $"--Gateway:ConfigDirectory={Path.Combine(AppContext.BaseDirectory, "no-config")}",
                "--Logging:LogLevel:Default=Warning",
            ],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(GatewaySettings(mockUrl));
                builder.Services.AddSingleton<TimeProvider>(clock);
            });
        await gateway.StartAsync();
        var gatewayUrl = new Uri(gateway.Urls.First());
        var (_, apiKey) = await gateway.Services.GetRequiredService<GatewayKeyStore>().CreateAsync("behaviour-chart", Environment, []);

        using var admin = new HttpClient { BaseAddress = gatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var chat = new HttpClient { BaseAddress = gatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        chat.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

        await SendAsync(admin, HttpMethod.Post, "/admin/v1/prompts", Bundle("v1 for {{ company }}"));
        await SendAsync(admin, HttpMethod.Post, "/admin/v1/prompts", Bundle("v2 for {{ company }} [[mock:refuse=0.3]]"));
        await SendAsync(admin, HttpMethod.Put, $"/admin/v1/prompts/{Prompt}/releases/{Environment}", """{"version":1,"reason":"first release"}""");
        await WaitForReleaseAsync(admin, canary: null);

        // The first request opens a fresh minute bucket; every request of a simulated minute lands in it.
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var start = clock.GetUtcNow();
        var sent = 0;
        var failed = 0;
        for (var minute = 0; minute < stableMinutes + canaryMinutes; minute++)
        {
            if (minute == stableMinutes)
            {
                await SendAsync(admin, HttpMethod.Post, $"/admin/v1/prompts/{Prompt}/releases/{Environment}/canary", $$"""{"version":2,"weight":{{canaryPercent * 100}},"reason":"try v2"}""");
                await WaitForReleaseAsync(admin, canary: 2);
            }

            for (var i = 0; i < perMinute; i++, sent++)
            {
                failed += await AskAsync(chat, sent) ? 0 : 1;
            }

            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  simulated minute {minute + 1}/{stableMinutes + canaryMinutes}: {perMinute} requests{(minute >= stableMinutes ? $" ({canaryPercent}% canary of v2)" : " (v1 only)")}"));
            clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        }

        var window = string.Create(CultureInfo.InvariantCulture, $"env={Environment}&from={Uri.EscapeDataString(start.AddMinutes(-1).ToString("o", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture))}");
        var scored = await WaitForScoredAsync(admin, window, sent, TimeSpan.FromSeconds(120));
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {sent} requests sent ({failed} failed), {scored} samples scored"));

        var changes = await gateway.Services.GetRequiredService<BehaviourChangeDetector>().DetectAsync(Prompt, Environment);
        var refusal = changes.FirstOrDefault(c => c.Metric == OnlineMetrics.Refusal);

        using var perArm = await SendAsync(admin, HttpMethod.Get, $"/admin/v1/prompts/{Prompt}/behaviour?metric=refusal&groupBy=version,variant&{window}", null);
        using var together = await SendAsync(admin, HttpMethod.Get, $"/admin/v1/prompts/{Prompt}/behaviour?metric=refusal&groupBy=&{window}", null);
        var arms = perArm.RootElement.GetProperty("series").EnumerateArray()
            .Select(s => Read(s, $"v{s.GetProperty("version").GetInt32()} {s.GetProperty("variant").GetString()}"))
            .ToList();
        var all = together.RootElement.GetProperty("series").EnumerateArray().Select(s => Read(s, "all arms together (what the detector scans)")).FirstOrDefault();

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"behaviour-chart: prompt:{Prompt} in {Environment}, {stableMinutes} simulated minutes of v1, then {canaryMinutes} with a {canaryPercent}% canary of v2 ([[mock:refuse=0.3]]); {perMinute} requests a minute, every one sampled and scored.");
        text.AppendLine();
        text.AppendLine("| Series | Scored samples | Refusal rate | Minutes with samples |");
        text.AppendLine("|---|--:|--:|--:|");
        foreach (var series in all is null ? arms : [.. arms, all])
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {series.Label} | {series.TotalCount} | {series.TotalMean:0.000} | {series.Points.Count(p => p.Count > 0)} |");
        }

        text.AppendLine();
        text.AppendLine(refusal is null
            ? "Detected change: none for refusal."
            : string.Create(CultureInfo.InvariantCulture, $"Detected change {refusal.Id}: {BehaviourChartPlot.Describe(refusal)} (difference {refusal.Difference:+0.000;-0.000}; {refusal.SamplesBefore} samples before, {refusal.SamplesAfter} after; statistic {refusal.Statistic:0.0} over threshold {refusal.Threshold:0.0}), boundary minute {(refusal.WindowStart - start).TotalMinutes:0} ({refusal.WindowStart:HH:mm} simulated UTC)"));
        if (refusal?.NearestActivation is { } cause)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Nearest activation: {cause.Action} v{cause.Version} by {cause.Actor} (\"{cause.Reason}\") at minute {(cause.At - start).TotalMinutes:0.00}, {cause.SecondsBefore:0} s before the change's window.");
        }

        foreach (var other in changes.Where(c => c.Metric != OnlineMetrics.Refusal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Also detected: {BehaviourChartPlot.Describe(other)}");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        BehaviourChartPlot.Save(
            output,
            string.Create(CultureInfo.InvariantCulture, $"Refusal rate per arm: a {canaryPercent}% canary of v2 ([[mock:refuse=0.3]]) after {stableMinutes} minutes of v1"),
            start,
            arms,
            all,
            refusal?.NearestActivation,
            refusal);
        text.AppendLine(CultureInfo.InvariantCulture, $"Chart: {output}");
        await Console.Out.WriteLineAsync(text.ToString());

        var problems = new List<string>();
        if (failed > 0)
        {
            problems.Add($"{failed} of {sent} requests failed");
        }

        if (scored != sent)
        {
            problems.Add($"{scored} of {sent} samples scored within two minutes");
        }

        if (refusal is null)
        {
            problems.Add("the detector found no refusal change");
        }

        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync($"FAILED: {problem}");
        }

        await gateway.StopAsync();
        await mock.StopAsync();
        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The catalog and policies of the scenario: every prompt request sampled, the evaluator polling fast, no background detection.</summary>
    private static Dictionary<string, string?> GatewaySettings(Uri mockUrl) => new()
    {
        // Hide a REDIS_URL from the environment: the gateway starts its own embedded Garnet.
        ["REDIS_URL"] = "",
        ["Gateway:Admin:Tokens:olga:Token"] = OperatorToken,
        ["Gateway:Admin:Tokens:olga:Roles:0"] = "viewer",
        ["Gateway:Admin:Tokens:olga:Roles:1"] = "author",
        ["Gateway:Admin:Tokens:olga:Roles:2"] = "operator",
        ["Gateway:Releases:RevalidationIntervalMs"] = "200",
        ["Gateway:Providers:mock:Kind"] = "openai-compatible",
        ["Gateway:Providers:mock:BaseUrl"] = new Uri(mockUrl, "/v1").ToString(),
        ["Gateway:Models:gpt-4o-mini:Provider"] = "mock",
        ["Gateway:Sampling:StableRate"] = "1",
        ["Gateway:Sampling:CanaryRate"] = "1",
        ["Gateway:OnlineEval:Enabled"] = "true",
        ["Gateway:OnlineEval:PollInterval"] = "00:00:00.050",
        // The command looks for changes itself, once all traffic is scored.
        ["Gateway:OnlineEval:DetectChanges"] = "false",
    };

    private static string Bundle(string system) => $$$"""
        {"name":"{{{Prompt}}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"{{{system}}}"}],
         "variables":[{"name":"company","required":true}]{{{OnlineEval}}}}
        """;

    private static async Task<bool> AskAsync(HttpClient chat, int i)
    {
        var body = new JsonObject
        {
            ["model"] = "prompt:" + Prompt,
            ["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = string.Create(CultureInfo.InvariantCulture, $"{Questions[i % Questions.Length]}? (ticket {1000 + i})"),
            }),
            ["user"] = "user-" + i.ToString(CultureInfo.InvariantCulture),
            ["prompt_variables"] = new JsonObject { ["company"] = "Acme" },
        };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await chat.PostAsync("/v1/chat/completions", content);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Waits until the instance serves v1 stable and <paramref name="canary"/> (null: none).</summary>
    private static async Task WaitForReleaseAsync(HttpClient admin, int? canary)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using var releases = await SendAsync(admin, HttpMethod.Get, "/admin/v1/instance/releases", null);
            var served = releases.RootElement.GetProperty("releases").EnumerateArray().Any(r =>
                r.GetProperty("prompt").GetString() == Prompt
                && r.GetProperty("environment").GetString() == Environment
                && r.GetProperty("stable").GetInt32() == 1
                && (canary is null
                    ? r.GetProperty("canary").ValueKind == JsonValueKind.Null
                    : r.GetProperty("canary").ValueKind == JsonValueKind.Number && r.GetProperty("canary").GetInt32() == canary));
            if (served)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"the gateway did not serve v1{(canary is null ? "" : $" with a canary of v{canary}")} within 10 s");
    }

    /// <summary>The <c>error</c> metric counts every scored sample once: polls its total until it reaches <paramref name="sent"/>.</summary>
    private static async Task<long> WaitForScoredAsync(HttpClient admin, string window, int sent, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long scored = 0;
        while (true)
        {
            using var json = await SendAsync(admin, HttpMethod.Get, $"/admin/v1/prompts/{Prompt}/behaviour?metric=error&groupBy=&{window}", null);
            var series = json.RootElement.GetProperty("series");
            scored = series.GetArrayLength() == 0 ? 0 : series[0].GetProperty("total").GetProperty("count").GetInt64();
            if (scored >= sent || DateTime.UtcNow > deadline)
            {
                return scored;
            }

            await Task.Delay(250);
        }
    }

    private static ArmSeries Read(JsonElement series, string label)
    {
        var points = series.GetProperty("points").EnumerateArray()
            .Select(p => (p.GetProperty("at").GetDateTimeOffset(), Mean(p), p.GetProperty("count").GetInt64()))
            .ToList();
        var total = series.GetProperty("total");
        return new ArmSeries(label, points, Mean(total), total.GetProperty("count").GetInt64());
    }

    private static double? Mean(JsonElement point) =>
        point.GetProperty("mean").ValueKind == JsonValueKind.Number ? point.GetProperty("mean").GetDouble() : null;

    private static async Task<JsonDocument> SendAsync(HttpClient http, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text.Length == 0 ? "{}" : text);
    }
}
