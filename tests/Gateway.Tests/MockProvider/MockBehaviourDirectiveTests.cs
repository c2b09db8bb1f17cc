using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Eval.Scoring;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.MockProvider;

/// <summary>
/// The mock's behaviour directives (<c>[[mock:refuse=0.3,…]]</c> in the instructions), which let a prompt version
/// make the mock refuse, fail, pad or break its JSON at a given rate — on chat, completions and responses, as JSON and SSE.
/// </summary>
public sealed class MockBehaviourDirectiveTests(TestEnvironment env)
{
    private const string Refusal = "I'm sorry, but I can't help with that.";

    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static readonly ScorerRegistry Scorers = ScorerRegistry.CreateDefault();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool> Apis => new()
    {
        { "chat", false },
        { "chat", true },
        { "completions", false },
        { "completions", true },
        { "responses", false },
        { "responses", true },
    };

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Refuse_1_makes_the_reply_exactly_the_refusal_text_which_is_refusal_recognises(string api, bool stream)
    {
        var reply = await AskAsync(api, stream, "Be brief. [[mock:refuse=1]]", "What is the capital of France?");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(Refusal, reply.Text);
        Assert.Equal(O200k.CountTokens(Refusal), reply.OutputTokens);
        Assert.True((await ScoreAsync("is-refusal", reply.Text)).Pass);
        if (api == "chat" && !stream)
        {
            var message = JsonDocument.Parse(reply.Body).RootElement.GetProperty("choices")[0].GetProperty("message");
            Assert.True(!message.TryGetProperty("refusal", out var refusal) || refusal.ValueKind == JsonValueKind.Null);
        }
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Refuse_0_answers_and_the_echoed_instructions_drop_the_directives(string api, bool stream)
    {
        var reply = await AskAsync(api, stream, "Be brief. [[mock:refuse=0]]\n[[mock:error=0, extra-tokens=0]]", "Where is the station?");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(Expected(api, "Be brief.", "Where is the station?"), reply.Text);
        Assert.False((await ScoreAsync("is-refusal", reply.Text)).Pass);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Error_1_fails_the_request_with_a_server_error_in_openais_shape(string api, bool stream)
    {
        var reply = await AskAsync(api, stream, "[[mock:error=1]] Be brief.", "Fail me");

        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        var error = JsonDocument.Parse(reply.Body).RootElement.GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("code").ValueKind);
        Assert.Contains("error=1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Extra_tokens_append_words_that_usage_counts_one_token_each(string api, bool stream)
    {
        var reply = await AskAsync(api, stream, "Be brief. [[mock:extra-tokens=7]]", "Pad me");

        var answer = Expected(api, "Be brief.", "Pad me");
        Assert.Equal(answer + string.Concat(Enumerable.Repeat(" lorem", 7)), reply.Text);
        Assert.Equal(O200k.CountTokens(reply.Text), reply.OutputTokens);
        Assert.Equal(O200k.CountTokens(answer) + 7, reply.OutputTokens);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Json_1_answers_a_json_object_and_invalid_json_1_drops_its_closing_brace(string api, bool stream)
    {
        var valid = await AskAsync(api, stream, "Be brief. [[mock:json=1]]", "Format me");
        var broken = await AskAsync(api, stream, "Be brief. [[mock:json=1,invalid-json=1]]", "Format me");
        var brokenWithoutJson = await AskAsync(api, stream, "Be brief. [[mock:invalid-json=1]]", "Format me");

        var answer = Expected(api, "Be brief.", "Format me");
        Assert.Equal(answer, JsonDocument.Parse(valid.Text).RootElement.GetProperty("answer").GetString());
        Assert.StartsWith("{\"answer\":\"", valid.Text, StringComparison.Ordinal);
        Assert.True((await ScoreAsync("is-json", valid.Text)).Pass);
        Assert.Equal(valid.Text[..^1], broken.Text);
        Assert.Equal(broken.Text, brokenWithoutJson.Text);
        Assert.False((await ScoreAsync("is-json", broken.Text)).Pass);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Latency_ms_leaves_the_reply_unchanged(string api, bool stream)
    {
        var reply = await AskAsync(api, stream, "Be brief. [[mock:latency-ms=20]]", "Wait for me");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(Expected(api, "Be brief.", "Wait for me"), reply.Text);
    }

    [Fact]
    public async Task Slow_0_keeps_every_request_from_latency_ms()
    {
        // slow is the share of requests that wait latency-ms (drawn per request text, as refuse): at 0 none waits the
        // ten minutes, so the reply comes at once; ignored, this would wait them out and time out.
        foreach (var api in new[] { "chat", "completions", "responses" })
        {
            var reply = await AskAsync(api, stream: false, "Be brief. [[mock:latency-ms=600000,slow=0]]", "Do not wait").WaitAsync(TimeSpan.FromMinutes(1), Ct);

            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.Equal(Expected(api, "Be brief.", "Do not wait"), reply.Text);
        }
    }

    [Fact]
    public async Task A_refusal_stays_plain_text_in_json_mode()
    {
        var reply = await AskAsync("chat", stream: false, "[[mock:json=1,refuse=1,extra-tokens=3]]", "Refuse me");

        Assert.Equal(Refusal, reply.Text);
    }

    [Fact]
    public async Task Refuse_0_3_refuses_about_30_percent_of_distinct_texts_and_the_same_text_gets_the_same_outcome()
    {
        var texts = Enumerable.Range(0, 2000).Select(i => $"Question {i}: what do you think of item {i * 7919}?").ToList();

        var refused = await RefusedAsync("You are helpful. [[mock:refuse=0.3]]", texts);
        var again = await RefusedAsync("You are helpful. [[mock:refuse=0.3]]", texts[..300]);
        var lower = await RefusedAsync("You are a different version. [[mock:refuse=0.2]]", texts[..300]);

        var share = refused.Count(r => r) / (double)texts.Count;
        Assert.InRange(share, 0.26, 0.34);
        Assert.Equal(refused[..300], again);

        // The draw depends on the user text alone, so a higher rate refuses a superset of what a lower one refuses.
        Assert.All(Enumerable.Range(0, 300), i => Assert.True(!lower[i] || refused[i], $"text {i}"));
        Assert.True(lower.Count(r => r) < refused[..300].Count(r => r));
    }

    [Fact]
    public async Task Directives_count_in_developer_messages_and_text_parts_but_not_in_user_messages()
    {
        var developer = await SendAsync("/v1/chat/completions", Chat(stream: false,
            new JsonObject { ["role"] = "system", ["content"] = "Be brief." },
            new JsonObject { ["role"] = "developer", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "[[mock:refuse=" }, new JsonObject { ["type"] = "text", ["text"] = "1]]" }) },
            new JsonObject { ["role"] = "user", ["content"] = "Hello" }));
        var user = await SendAsync("/v1/chat/completions", Chat(stream: false,
            new JsonObject { ["role"] = "user", ["content"] = "Hello [[mock:refuse=1]]" }));

        Assert.Equal(Refusal, await ContentAsync(developer));
        Assert.Equal("mock reply to model=gpt-4o system=- user=Hello [[mock:refuse=1]]", await ContentAsync(user));
    }

    [Fact]
    public async Task Header_knobs_still_apply_to_a_directed_reply()
    {
        var chunked = await AskAsync("chat", stream: true, "[[mock:refuse=1]]", "Chunk me", ("x-mock-chunks", "3"));
        var replaced = await AskAsync("chat", stream: false, "[[mock:json=1]]", "Replace me", ("x-mock-reply", "fixed"));

        Assert.Equal(Refusal, chunked.Text);
        Assert.Equal(3, chunked.ContentChunks);
        Assert.Equal("{\"answer\":\"fixed\"}", replaced.Text);
    }

    [Theory]
    [InlineData("[[mock:refuse=1.5]]", "refuse=1.5")]
    [InlineData("[[mock:refuse=0.3,error=-0.1]]", "error=-0.1")]
    [InlineData("[[mock:refuse]]", "refuse")]
    [InlineData("[[mock:bogus=1]]", "bogus=1")]
    [InlineData("[[mock:extra-tokens=many]]", "extra-tokens=many")]
    [InlineData("[[mock:latency-ms=-5]]", "latency-ms=-5")]
    [InlineData("[[mock:json=yes]]", "json=yes")]
    [InlineData("[[mock:latency-ms=10,slow=1.5]]", "slow=1.5")]
    [InlineData("[[mock:invalid-json=NaN]]", "invalid-json=NaN")]
    public async Task A_malformed_directive_is_a_400_naming_it(string instructions, string directive)
    {
        foreach (var api in new[] { "chat", "completions", "responses" })
        {
            var reply = await AskAsync(api, stream: true, instructions, "Hi");

            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            var error = JsonDocument.Parse(reply.Body).RootElement.GetProperty("error");
            Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
            Assert.Contains($"'{directive}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    private static string Expected(string api, string system, string user) => api == "completions"
        ? $"mock completion for model=gpt-4o prompt={system}\n{user}"
        : $"mock reply to model=gpt-4o system={system} user={user}";

    private static async Task<ScoreResult> ScoreAsync(string type, string output) =>
        await Scorers.ScoreAsync(AssertionSpec.Parse($$"""{"type":"{{type}}"}"""), new ScoringInput { Output = output }, Ct);

    private async Task<List<bool>> RefusedAsync(string instructions, List<string> texts)
    {
        var refused = new bool[texts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, texts.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (i, _) =>
        {
            var reply = await AskAsync("chat", stream: false, instructions, texts[i]);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            refused[i] = reply.Text == Refusal;
        });
        return [.. refused];
    }

    private static JsonObject Chat(bool stream, params JsonObject[] messages)
    {
        var body = new JsonObject { ["model"] = "gpt-4o", ["stream"] = stream, ["messages"] = new JsonArray(messages) };
        if (stream)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    private static async Task<string> ContentAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        }
    }

    private async Task<(HttpStatusCode Status, string Body, string Text, int? OutputTokens, int ContentChunks)> AskAsync(
        string api, bool stream, string instructions, string user, params (string Name, string Value)[] headers)
    {
        var (path, body) = api switch
        {
            "chat" => ("/v1/chat/completions", Chat(stream,
                new JsonObject { ["role"] = "system", ["content"] = instructions },
                new JsonObject { ["role"] = "user", ["content"] = user })),
            "completions" => ("/v1/completions", new JsonObject
            {
                ["model"] = "gpt-4o",
                ["stream"] = stream,
                ["prompt"] = instructions + "\n" + user,
                ["stream_options"] = stream ? new JsonObject { ["include_usage"] = true } : null,
            }),
            _ => ("/v1/responses", new JsonObject { ["model"] = "gpt-4o", ["stream"] = stream, ["instructions"] = instructions, ["input"] = user }),
        };

        using var response = await SendAsync(path, body, headers);
        var text = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, text, string.Empty, null, 0);
        }

        if (!stream)
        {
            var root = JsonDocument.Parse(text).RootElement;
            return api switch
            {
                "chat" => (response.StatusCode, text, root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 0),
                "completions" => (response.StatusCode, text, root.GetProperty("choices")[0].GetProperty("text").GetString()!, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), 0),
                _ => (response.StatusCode, text, root.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!, root.GetProperty("usage").GetProperty("output_tokens").GetInt32(), 0),
            };
        }

        var content = new StringBuilder();
        int? outputTokens = null;
        var chunks = 0;
        foreach (var line in text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l != "data: [DONE]"))
        {
            var data = JsonDocument.Parse(line["data: ".Length..]).RootElement;
            string? piece = null;
            if (api == "responses")
            {
                var type = data.GetProperty("type").GetString();
                piece = type == "response.output_text.delta" ? data.GetProperty("delta").GetString() : null;
                if (type == "response.completed")
                {
                    outputTokens = data.GetProperty("response").GetProperty("usage").GetProperty("output_tokens").GetInt32();
                }
            }
            else
            {
                if (data.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0)
                {
                    piece = api == "chat"
                        ? choices[0].GetProperty("delta").TryGetProperty("content", out var delta) ? delta.GetString() : null
                        : choices[0].GetProperty("text").GetString();
                }

                if (data.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    outputTokens = usage.GetProperty("completion_tokens").GetInt32();
                }
            }

            if (!string.IsNullOrEmpty(piece))
            {
                content.Append(piece);
                chunks++;
            }
        }

        return (response.StatusCode, text, content.ToString(), outputTokens, chunks);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, JsonObject body, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient { BaseAddress = env.MockUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestEnvironment.ProviderKey);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await client.SendAsync(request, Ct);
    }
}
