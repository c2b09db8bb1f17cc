using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// The hot path reuses its per-request objects (the forwarder's attempt state, the response tap with its readers, the
/// timers' cancellation sources). Many requests of every kind at once, twice over so the second wave runs on objects
/// the first gave back: each must get its own answer, and usage counted from its own response, never another's.
/// </summary>
public sealed class PooledHotPathTests(TestEnvironment env)
{
    private const int Requests = 48;

    // The mock counts with o200k_base, without per-message overhead: each request's own counts are known in advance.
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_requests_of_every_kind_each_get_their_own_answer_and_usage()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        for (var wave = 0; wave < 2; wave++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => SendAsync(client, wave, i)));
            Assert.All(results, result => Assert.True(result.Ok, result.Problem));
        }
    }

    private static async Task<(bool Ok, string Problem)> SendAsync(HttpClient client, int wave, int i)
    {
        // Prompts of different lengths: usage read from another request's response would show in the counts.
        var marker = $"w{wave}r{i} " + string.Join(' ', Enumerable.Repeat("word", i % 13));
        var kind = i % 4;
        var stream = kind is 1 or 2;
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "gpt-4o-mini",
            ["stream"] = stream,
            ["messages"] = new[] { new { role = "user", content = marker } },
        });
        if (kind == 2)
        {
            // The client asks for the usage chunk itself: it must arrive, and agree with the gateway's own count.
            body = body.Insert(body.Length - 1, ""","stream_options":{"include_usage":true}""");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-mock-tag", $"pooled-{Guid.NewGuid():N}");
        request.Headers.Add("x-mock-chunks", (2 + (i % 5)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (kind == 3)
        {
            // The first attempt fails (503), the retry answers: a spent tap and timer, then the served one.
            request.Headers.Add("x-mock-fail-times", "1");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var expected = $"mock reply to model=gpt-4o-mini system=- user={marker}";
        var own = ((long)O200k.CountTokens(marker), (long)O200k.CountTokens(expected));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (false, $"request {i} (kind {kind}): {(int)response.StatusCode} {text}");
        }

        if (!stream)
        {
            using var json = JsonDocument.Parse(text);
            var reply = json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            var usage = json.RootElement.GetProperty("usage");
            var counted = (Header(response, "X-Gateway-Input-Tokens"), Header(response, "X-Gateway-Output-Tokens"));
            var reported = (usage.GetProperty("prompt_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), usage.GetProperty("completion_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
            var attempts = Header(response, "X-Gateway-Attempts");
            var ownText = (own.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture), own.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return reply == expected && counted == reported && counted == ownText && attempts == (kind == 3 ? "2" : "1")
                ? (true, "")
                : (false, $"request {i} (kind {kind}): reply '{reply}', headers {counted} vs body {reported}, attempts {attempts}");
        }

        var content = new StringBuilder();
        (long Input, long Output)? usageChunk = null;
        (long Input, long Output)? comment = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(": gateway-usage ", StringComparison.Ordinal))
            {
                using var record = JsonDocument.Parse(line[": gateway-usage ".Length..]);
                comment = (record.RootElement.GetProperty("input_tokens").GetInt64(), record.RootElement.GetProperty("output_tokens").GetInt64());
            }
            else if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line["data: ".Length..]);
                var choices = chunk.RootElement.GetProperty("choices");
                if (choices.GetArrayLength() == 0)
                {
                    var usage = chunk.RootElement.GetProperty("usage");
                    usageChunk = (usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64());
                }
                else if (choices[0].GetProperty("delta").TryGetProperty("content", out var piece))
                {
                    content.Append(piece.GetString());
                }
            }
        }

        var ok = content.ToString() == expected
            && comment == own
            && (kind == 2 ? usageChunk == own : usageChunk is null);
        return ok ? (true, "") : (false, $"request {i} (kind {kind}): text '{content}', usage chunk {usageChunk}, gateway-usage {comment}");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
