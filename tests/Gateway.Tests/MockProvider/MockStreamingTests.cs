using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.MockProvider;

/// <summary>The mock's streamed Responses API events and its <c>corrupt</c> knob, straight from the mock.</summary>
public sealed class MockStreamingTests(TestEnvironment env)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_responses_stream_sends_openais_events_in_order_and_ends_with_the_usage()
    {
        using var response = await PostAsync("/v1/responses", """{"model":"gpt-4o","stream":true,"instructions":"Short.","input":"Stream me"}""", ("x-mock-chunks", "3"));
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')).ToList();
        var types = events.Select(e => e[0]["event: ".Length..]).ToList();
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
             "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
             "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            types);
        var data = events.Select(e => JsonDocument.Parse(e[1]["data: ".Length..]).RootElement.Clone()).ToList();
        Assert.Equal(types, data.Select(d => d.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, types.Count), data.Select(d => d.GetProperty("sequence_number").GetInt32()));
        const string Reply = "mock reply to model=gpt-4o system=Short. user=Stream me";
        Assert.Equal(Reply, string.Concat(data.Where(d => d.GetProperty("type").GetString() == "response.output_text.delta").Select(d => d.GetProperty("delta").GetString())));
        var completed = data[^1].GetProperty("response");
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(Reply, completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(O200k.CountTokens("Short.") + O200k.CountTokens("Stream me"), completed.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(O200k.CountTokens(Reply), completed.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal(JsonValueKind.Null, data[0].GetProperty("response").GetProperty("usage").ValueKind);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_adds_one_chunk_with_a_lone_surrogate_escape_or_invalid_utf8_after_the_first()
    {
        using var lone = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"x"}]}""", ("x-mock-corrupt", "lone-surrogate"), ("x-mock-chunks", "2"));
        using var invalid = await PostAsync("/v1/completions", """{"model":"gpt-4o","stream":true,"prompt":"x"}""", ("x-mock-corrupt", "invalid-utf8"), ("x-mock-chunks", "2"));

        var loneEvents = (await lone.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var invalidBytes = await invalid.Content.ReadAsByteArrayAsync(Ct);
        Assert.Contains("\"delta\":{\"content\":\"\\ud800\"}", loneEvents[2], StringComparison.Ordinal);
        Assert.Equal(6, loneEvents.Length);
        Assert.True(invalidBytes.AsSpan().IndexOf("\"text\":\""u8.ToArray().Concat(new byte[] { 0xFF, 0xFE, 0xC3, (byte)'"' }).ToArray()) >= 0);
    }

    [Fact]
    public async Task An_unknown_corruption_is_refused()
    {
        using var client = new HttpClient { BaseAddress = env.MockUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestEnvironment.ProviderKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("""{"model":"gpt-4o","stream":true,"messages":[]}""", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-mock-corrupt", "nonsense");

        using var response = await client.SendAsync(request, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, null);
    }

    [Fact]
    public async Task No_done_ends_a_chat_stream_after_its_usage_chunk()
    {
        using var response = await PostAsync("/v1/chat/completions", """{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""", ("x-mock-no-done", "true"));

        var events = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(events, e => e.Contains("[DONE]", StringComparison.Ordinal));
        Assert.Contains("\"choices\":[],\"usage\":{", events[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Audio_tokens_are_added_to_the_counts_and_reported_in_both_details(bool stream)
    {
        var streaming = stream ? ""","stream":true,"stream_options":{"include_usage":true}""" : "";
        using var plain = await PostAsync("/v1/chat/completions", $$"""{"model":"gpt-4o"{{streaming}},"messages":[{"role":"user","content":"x"}]}""");
        using var audio = await PostAsync("/v1/chat/completions", $$"""{"model":"gpt-4o"{{streaming}},"messages":[{"role":"user","content":"x"}]}""", ("x-mock-audio-tokens", "30,70"));

        var without = UsageOf(await plain.Content.ReadAsStringAsync(Ct), stream);
        var with = UsageOf(await audio.Content.ReadAsStringAsync(Ct), stream);
        Assert.False(without.TryGetProperty("prompt_tokens_details", out _));
        Assert.Equal(without.GetProperty("prompt_tokens").GetInt32() + 30, with.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(without.GetProperty("completion_tokens").GetInt32() + 70, with.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(without.GetProperty("total_tokens").GetInt32() + 100, with.GetProperty("total_tokens").GetInt32());
        Assert.Equal(30, with.GetProperty("prompt_tokens_details").GetProperty("audio_tokens").GetInt32());
        Assert.Equal(70, with.GetProperty("completion_tokens_details").GetProperty("audio_tokens").GetInt32());
    }

    private static JsonElement UsageOf(string body, bool stream) => JsonDocument.Parse(stream
        ? body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Single(e => e.Contains("\"choices\":[]", StringComparison.Ordinal))["data: ".Length..]
        : body).RootElement.GetProperty("usage");

    private async Task<HttpResponseMessage> PostAsync(string path, string body, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient { BaseAddress = env.MockUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestEnvironment.ProviderKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
