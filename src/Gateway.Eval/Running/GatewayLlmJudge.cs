using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>
/// The <c>llm-rubric</c> judge: a chat model called through the gateway at temperature 0, told to answer
/// with the strict JSON the scorer parses. A failed call throws, which the scorer reports as an error,
/// never as a pass.
/// </summary>
/// <param name="user">Sent as OpenAI's <c>user</c>, so the judge's calls are tagged as such wherever they are counted.</param>
/// <param name="onResponse">Sees every answer, errors included (its headers carry the gateway's cost), before its body is read.</param>
/// <param name="onNoAnswer">
/// The call was given up (its deadline passed) before any answer: the gateway has billed what its provider went on with,
/// and no header says how much.
/// </param>
internal sealed class GatewayLlmJudge(
    HttpClient http, Uri baseUrl, string apiKey, string model, string? user = null, Action<HttpResponseMessage>? onResponse = null, Action? onNoAnswer = null) : ILlmJudge
{
    /// <summary>
    /// The verdict is a line of JSON: a bound on what a call can generate (and cost), whatever the judge model's own cap.
    /// Sent as <c>max_completion_tokens</c>, the field every current OpenAI chat model takes. (The call also asks for
    /// temperature 0, which reasoning models refuse: they are not judges here.)
    /// </summary>
    public const int MaxVerdictTokens = 4096;

    private const string Instructions =
        "You grade an AI assistant's output against a rubric. Reply with JSON only, exactly " +
        "{\"pass\": true|false, \"score\": <number from 0 to 1>, \"reason\": \"<one sentence>\"}, and nothing else.";

    private readonly Uri _endpoint = new(baseUrl.ToString().TrimEnd('/') + "/v1/chat/completions", UriKind.Absolute);

    public async Task<string> JudgeAsync(string rubric, string output, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, object>
        {
            ["model"] = model,
            ["temperature"] = 0,
            ["max_completion_tokens"] = MaxVerdictTokens,
            ["messages"] = new[]
            {
                new Dictionary<string, string> { ["role"] = "system", ["content"] = Instructions },
                new Dictionary<string, string> { ["role"] = "user", ["content"] = $"Rubric:\n{rubric}\n\nOutput to grade:\n{output}" },
            },
        };
        if (user is not null)
        {
            fields["user"] = user;
        }

        var body = JsonSerializer.Serialize(fields);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        // Headers first, so an answer is billed even when its body then fails to read (too long, cut); the client's
        // Timeout still bounds the whole call, body included.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(http.Timeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            onResponse?.Invoke(response);
            var json = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The judge model '{model}' answered {(int)response.StatusCode} through the gateway.");
            }

            using var document = JsonDocument.Parse(json);
            return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Our deadline, not the caller's: say so, as HttpClient's own timeout does.
            if (response is null)
            {
                onNoAnswer?.Invoke();
            }

            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"The judge model '{model}' did not answer within {http.Timeout.TotalSeconds:0.###} s (HttpClient.Timeout)."), ex);
        }
        finally
        {
            response?.Dispose();
        }
    }
}
