using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// Audio tokens (<c>"modalities": ["text", "audio"]</c>) on a real gateway, with the mock reporting them in its usage's
/// details: billed and counted on the key at the audio prices, reserved at them, and never at the text price.
/// </summary>
public sealed class AudioBillingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A tokens-per-minute limit beside the daily one: the key's spend is then reserved in the store (no instance
    // slices), so its day counter holds exactly what it spent.
    private static readonly KeyLimits Limits = new(1m, null, 1_000_000);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_keys_spend_counter_holds_the_audio_price_of_what_it_was_served(bool stream)
    {
        await using var gateway = await StartAsync();
        var (key, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("audio", "test", [], Limits);
        using var client = gateway.CreateClient(secret);
        using var request = Request("audio-model", audio: true, stream, ("x-mock-audio-tokens", "100,1000"));

        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (input, output, cost, audioIn, audioOut) = stream ? FromComment(body) : FromHeaders(response);
        // The mock added 100 audio tokens to the prompt and 1,000 to the completion: 2.50 / 10 for text, 40 / 80 for audio.
        var expected = (((input - 100) * 2.5m) + (100 * 40m) + ((output - 1000) * 10m) + (1000 * 80m)) / 1_000_000m;
        Assert.Equal(expected, cost);
        if (stream)
        {
            Assert.Equal(((long?)100, (long?)1000), (audioIn, audioOut));
        }

        Assert.Equal(NanoUsd.From(expected), await DayCounterAsync(gateway, key));
    }

    [Fact]
    public async Task Audio_output_is_reserved_at_the_audio_output_price()
    {
        // 1,000 output tokens: 0.01 USD at the text price, 0.08 at the audio price; the key has 0.05 a day.
        await using var gateway = await StartAsync();
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("audio", "test", [], new KeyLimits(0.05m, null, 1_000_000));
        using var client = gateway.CreateClient(secret);

        using var text = await client.SendAsync(Request("audio-model", audio: false, stream: false), Ct);
        using var spoken = await client.SendAsync(Request("audio-model", audio: true, stream: false), Ct);

        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        var error = await ErrorAssertions.AssertOpenAiErrorAsync(spoken, HttpStatusCode.TooManyRequests, "budget_exceeded");
        Assert.Contains("daily budget", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audio_output_from_a_model_without_an_audio_price_is_refused_to_a_key_with_a_spend_limit()
    {
        await using var gateway = await StartAsync();
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("audio", "test", [], Limits);
        using var client = gateway.CreateClient(secret);
        var tag = OpenAiClients.NewTag();

        using var response = await client.SendAsync(Request("text-priced", audio: true, stream: false, ("x-mock-tag", tag)), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "model_not_priced");
        Assert.Equal("modalities", error.GetProperty("param").GetString());
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task Audio_reported_by_a_model_without_an_audio_price_costs_unknown_and_keeps_its_reservation_on_the_key()
    {
        // Audio the request did not announce (audio input, say): its cost is unknown, never the text price, and the key
        // keeps what was reserved for the request, never 0.
        await using var gateway = await StartAsync();
        var (key, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("audio", "test", [], Limits);
        using var client = gateway.CreateClient(secret);

        using var response = await client.SendAsync(Request("text-priced", audio: false, stream: false, ("x-mock-audio-tokens", "1000,0")), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("unknown", response.Headers.GetValues("X-Gateway-Cost-USD").Single());
        // The reservation: at least its 1,000 output tokens at 10 per million.
        Assert.True(await DayCounterAsync(gateway, key) >= NanoUsd.From(0.01m));
    }

    [Fact]
    public async Task A_keys_audio_request_is_never_served_by_a_fallback_without_an_audio_price()
    {
        // The primary (audio-priced) cannot be reached; its fallback has text prices only: a spoken answer from it could
        // be neither reserved nor counted at its price. A text request of the same key falls back as before.
        await using var gateway = await StartAsync();
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("audio", "test", [], Limits);
        using var client = gateway.CreateClient(secret);
        var (spokenTag, textTag) = (OpenAiClients.NewTag(), OpenAiClients.NewTag());

        using var spoken = await client.SendAsync(Request("audio-dead", audio: true, stream: false, ("x-mock-tag", spokenTag)), Ct);
        using var text = await client.SendAsync(Request("audio-dead", audio: false, stream: false, ("x-mock-tag", textTag)), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(spoken, HttpStatusCode.BadGateway, "upstream_unavailable");
        Assert.Empty(env.Received.ForTag(spokenTag));
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("text-priced", text.Headers.GetValues("X-Gateway-Served-Model").Single());
    }

    private Task<GatewayHost> StartAsync()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Models:audio-model:Provider"] = "mock";
        settings["Gateway:Models:audio-model:UpstreamModel"] = "gpt-4o-audio-preview";
        settings["Gateway:Models:text-priced:Provider"] = "mock";
        settings["Gateway:Models:audio-dead:Provider"] = "dead";
        settings["Gateway:Models:audio-dead:UpstreamModel"] = "gpt-4o-audio-preview";
        settings["Gateway:Models:audio-dead:Fallbacks:0"] = "text-priced";
        settings["Gateway:Pricing:Models:gpt-4o-audio-preview:0:EffectiveFrom"] = "2024-10-01T00:00:00Z";
        settings["Gateway:Pricing:Models:gpt-4o-audio-preview:0:InputPerMillion"] = "2.5";
        settings["Gateway:Pricing:Models:gpt-4o-audio-preview:0:OutputPerMillion"] = "10";
        settings["Gateway:Pricing:Models:gpt-4o-audio-preview:0:AudioInputPerMillion"] = "40";
        settings["Gateway:Pricing:Models:gpt-4o-audio-preview:0:AudioOutputPerMillion"] = "80";
        settings["Gateway:Pricing:Models:text-priced:0:EffectiveFrom"] = "2024-10-01T00:00:00Z";
        settings["Gateway:Pricing:Models:text-priced:0:InputPerMillion"] = "2.5";
        settings["Gateway:Pricing:Models:text-priced:0:OutputPerMillion"] = "10";
        return GatewayHost.StartAsync(settings);
    }

    private static HttpRequestMessage Request(string model, bool audio, bool stream, params (string Name, string Value)[] headers)
    {
        var modalities = audio ? ""","modalities":["text","audio"],"audio":{"voice":"alloy","format":"wav"}""" : "";
        var streaming = stream ? ""","stream":true,"stream_options":{"include_usage":true}""" : "";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"{{model}}","max_tokens":1000{{modalities}}{{streaming}},"messages":[{"role":"user","content":"say hi"}]}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    /// <summary>A JSON answer's usage headers (they carry no audio counts: those are in the streamed comment and samples).</summary>
    private static (long Input, long Output, decimal Cost, long? AudioInput, long? AudioOutput) FromHeaders(HttpResponseMessage response)
    {
        string Header(string name) => response.Headers.GetValues(name).Single();
        return (long.Parse(Header("X-Gateway-Input-Tokens"), CultureInfo.InvariantCulture), long.Parse(Header("X-Gateway-Output-Tokens"), CultureInfo.InvariantCulture),
            decimal.Parse(Header("X-Gateway-Cost-USD"), NumberStyles.Float, CultureInfo.InvariantCulture), null, null);
    }

    private static (long Input, long Output, decimal Cost, long? AudioInput, long? AudioOutput) FromComment(string sse)
    {
        const string prefix = ": gateway-usage ";
        var line = sse.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        var usage = JsonDocument.Parse(line[prefix.Length..]).RootElement;
        return (usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("output_tokens").GetInt64(), usage.GetProperty("cost_usd").GetDecimal(),
            usage.GetProperty("audio_input_tokens").GetInt64(), usage.GetProperty("audio_output_tokens").GetInt64());
    }

    private static async Task<long> DayCounterAsync(GatewayHost gateway, GatewayKey key)
    {
        var store = gateway.GetRequiredService<GatewayStore>();
        var value = await store.Database.StringGetAsync($"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:{DateTimeOffset.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}");
        return value.IsNull ? 0 : (long)value;
    }
}
