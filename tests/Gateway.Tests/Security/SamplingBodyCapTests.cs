using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Auth;
using LlmGateway.Sampling;
using LlmGateway.Sampling.Capture;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: a sampled request's bodies are copied only up to <c>Gateway:Sampling:MaxBodyCaptureBytes</c>
/// (256 KB by default). The cut body is stored as JSON, closed where it was cut and marked there
/// (<c>…[truncated N bytes]</c>), and the sample says <c>truncated</c>, as for a response cut at its cap.
/// </summary>
public sealed class SamplingBodyCapTests(TestEnvironment env)
{
    private const string Marker = "…[truncated 7 bytes]";

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sampled_body_past_the_capture_cap_is_stored_cut_closed_and_marked()
    {
        const int Cap = 64 * 1024;
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + ":bodycap";
        settings["Gateway:Sampling:MaxBodyCaptureBytes"] = Cap.ToString(CultureInfo.InvariantCulture);
        settings["Gateway:Sampling:MaxSampleBytes"] = (1024 * 1024).ToString(CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);
        var debug = await PromptSetup.KeyAsync(gateway, GatewayKeyPermissions.Debug);
        const string Head = "{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"";
        // Words, not one long run: the mock counts tokens, and byte-pair encoding of one huge word is slow.
        var body = Head + "é" + string.Concat(Enumerable.Repeat("lorem ipsum ", 512 * 1024 / 12)) + "\"},{\"role\":\"user\",\"content\":\"the second message\"}]}";
        var bytes = Encoding.UTF8.GetByteCount(body);

        using (var client = gateway.CreateClient(debug))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-Gateway-Sample", "true");
            request.Headers.Add("x-mock-reply", "ok");
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var listed = Assert.Single(await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 1));
        var sample = await SampleWaiter.GetAsync(gateway, listed.GetProperty("id").GetString()!);

        Assert.True(sample.GetProperty("truncated").GetBoolean());
        var stored = sample.GetProperty("request");
        Assert.Equal("gpt-4o-mini", stored.GetProperty("model").GetString());
        Assert.Equal(0.5, stored.GetProperty("temperature").GetDouble());

        // The first message up to the cut, marked with what was not copied; the second was past the cut.
        var marker = $"…[truncated {bytes - Cap} bytes]";
        var content = Assert.Single(sample.GetProperty("input").GetProperty("messages").EnumerateArray()).GetProperty("content").GetString()!;
        Assert.EndsWith(marker, content, StringComparison.Ordinal);
        Assert.StartsWith("élorem ipsum lorem", content, StringComparison.Ordinal);
        // Less the cut string's last characters, which could be the start of a secret the redaction no longer knows.
        Assert.Equal(Cap - Encoding.UTF8.GetByteCount(Head) - JsonPrefix.SecretTail, Encoding.UTF8.GetByteCount(content[..^marker.Length]));
    }

    [Fact]
    public void Every_cut_of_a_body_closes_into_json_that_keeps_what_arrived_and_carries_the_marker()
    {
        var body = """
            {"model":"gpt-4o-mini","n":12,"stream":true,"stop":null,"logprobs":false,
             "messages":[{"role":"system","content":"Say \"hi\" \\ then é😀 and \u00e9\ud83d\ude00."},
                         {"role":"user","content":[{"type":"text","text":"two"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}],
             "prompt_variables":{"a":[1,2.5e3,-3],"b":{}},"tools":[]}
            """;
        var bytes = Encoding.UTF8.GetBytes(body);
        var complete = JsonNode.Parse(bytes)!;
        var modelEnd = body.IndexOf("gpt-4o-mini\"", StringComparison.Ordinal) + "gpt-4o-mini\"".Length;

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var closed = JsonPrefix.Close(bytes.AsSpan(0, cut), Marker);

            Assert.NotNull(closed);
            var text = closed.ToJsonString(Readable);
            Assert.True(text.Contains(Marker, StringComparison.Ordinal) || JsonNode.DeepEquals(closed, complete), $"cut at {cut}: {text}");
            if (cut >= modelEnd)
            {
                // Whatever the cut, the fields before it survive.
                Assert.Equal("gpt-4o-mini", closed["model"]!.GetValue<string>());
            }
        }
    }

    [Fact]
    public void A_cut_string_keeps_its_text_up_to_the_cut_even_inside_an_escape_or_a_multibyte_character()
    {
        var text = "ab\\\"c é😀 \\u00e9\\ud83d\\ude00 end";
        var body = Encoding.UTF8.GetBytes("{\"content\":\"" + text);
        var decoded = JsonNode.Parse("\"" + text + "\"")!.GetValue<string>();

        for (var cut = "{\"content\":\"".Length; cut <= body.Length; cut++)
        {
            var content = JsonPrefix.Close(body.AsSpan(0, cut), Marker, secretTail: 0)!["content"]!.GetValue<string>();

            Assert.EndsWith(Marker, content, StringComparison.Ordinal);
            Assert.StartsWith(content[..^Marker.Length], decoded, StringComparison.Ordinal);
        }

        Assert.Equal(decoded + Marker, JsonPrefix.Close(body, Marker, secretTail: 0)!["content"]!.GetValue<string>());
    }

    [Fact]
    public void A_secret_the_cut_splits_is_not_kept_for_the_redaction_to_miss()
    {
        // 39 of an AWS secret's 40 characters match no pattern: the cut string's tail goes, secret and all.
        var body = Encoding.UTF8.GetBytes("{\"content\":\"my keys: aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE");

        var content = JsonPrefix.Close(body, Marker)!["content"]!.GetValue<string>();

        Assert.Equal("my key" + Marker, content);
        Assert.Equal("x" + Marker, JsonPrefix.Close(Encoding.UTF8.GetBytes("{\"content\":\"x" + new string('y', JsonPrefix.SecretTail)), Marker)!["content"]!.GetValue<string>());
    }

    [Fact]
    public void A_prefix_that_is_not_json_gives_nothing()
    {
        Assert.Null(JsonPrefix.Close("not json at all"u8, Marker));
        Assert.Null(JsonPrefix.Close("   "u8, Marker));
        Assert.Null(JsonPrefix.Close("{\"a\":1}}"u8, Marker));
    }

    [Fact]
    public void The_caps_default_to_256_KB_a_body_and_64_MB_queued_and_a_queue_that_cannot_hold_one_capture_is_refused()
    {
        var defaults = Resolve(new());
        Assert.Equal(256 * 1024, defaults.MaxBodyCaptureBytes);
        Assert.Equal(64L * 1024 * 1024, defaults.MaxQueuedBytes);

        Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Gateway:Sampling:MaxQueuedBytes"] = "1048576", ["Gateway:Sampling:MaxCaptureBytes"] = "1048576" }));
        Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Gateway:Sampling:MaxQueuedBytes"] = "1000" }));
        Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Gateway:Sampling:MaxBodyCaptureBytes"] = "0" }));
    }

    private static SamplingOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddGatewaySampling(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<SamplingOptions>>().Value;
    }
}
