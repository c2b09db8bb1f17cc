using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Resilience;

/// <summary>
/// Over random fault schedules (the mock's per-tag <c>schedule</c> knob), the client only ever
/// receives the bytes of one attempt, and nothing is retried once any byte has reached it.
/// </summary>
public sealed class RetrySafetyPropertyTests(TestEnvironment env)
{
    private const int MaxAttempts = 3;

    private static readonly string[] Steps = ["500", "503", "429", "reset", "cut:0", "cut:1", "cut:2", "ok"];

    private static readonly Gen<string> Step = Gen.Int[0, Steps.Length - 1].Select(i => Steps[i]);

    [Fact]
    public async Task The_client_never_receives_bytes_from_two_attempts()
    {
        await Gen.Select(Step.Array[1, 4], Gen.Bool).SampleAsync(
            async (steps, stream) => await CheckAsync(steps, stream),
            iter: 24,
            threads: 1);
    }

    private async Task CheckAsync(string[] steps, bool stream)
    {
        var tag = OpenAiClients.NewTag();
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        request.Headers.Add("x-mock-schedule", string.Join(",", steps));
        request.Headers.Add("x-mock-chunks", "4");

        string body;
        HttpStatusCode status;
        string? attemptsHeader;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            status = response.StatusCode;
            attemptsHeader = response.Headers.TryGetValues("X-Gateway-Attempts", out var values) ? values.Single() : null;
            body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }
        catch (HttpRequestException)
        {
            // A non-streamed response cut mid-body is aborted, never completed with another attempt's bytes.
            Assert.False(stream, $"a stream must end with an error event, not a reset: {string.Join(",", steps)}");
            return;
        }

        var received = env.Received.ForTag(tag).Count;
        var served = Math.Min(MaxAttempts, Array.FindIndex(steps, s => s == "ok" || s.StartsWith("cut:", StringComparison.Ordinal)) is var i and >= 0 ? i + 1 : int.MaxValue);
        var context = $"steps {string.Join(",", steps)}, stream {stream}: status {(int)status}, {received} upstream requests, body {body}";

        // Exactly the attempts the schedule allows: up to the first answer that started, at most MaxAttempts.
        Assert.True(served == received, context);
        Assert.True(attemptsHeader == received.ToString(System.Globalization.CultureInfo.InvariantCulture), context);

        // The text the client got (if any) comes from one attempt only: the last.
        var text = stream ? StreamedText(body) : JsonText(body);
        var markers = CountOf(text, "[attempt ");
        Assert.True(markers <= 1, context);
        if (markers == 1)
        {
            Assert.True(text.Contains($"[attempt {received}]", StringComparison.Ordinal), context);
        }
    }

    private static string StreamedText(string sse) => string.Concat(
        sse.Split('\n')
            .Where(line => line.StartsWith("data: {", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line["data: ".Length..]).RootElement)
            .Where(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0)
            .Select(e => e.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""));

    private static string JsonText(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("choices", out var choices) ? choices[0].GetProperty("message").GetProperty("content").GetString() ?? "" : "";
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
