using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>What the byte check saw for one kind of request (chat or stream).</summary>
/// <param name="Pairs">Requests sent to each arm with the same input (the body differs only in the prompt's name).</param>
/// <param name="IdenticalBodies">Pairs whose bodies are the same bytes once the mock's per-response id and time are masked.</param>
/// <param name="IdenticalHeaders">Pairs with the same header names and values, except the per-response ones (<see cref="ByteIdentityCheck.PerResponseHeaders"/>).</param>
/// <param name="ShadowedBodyBytes">Body bytes arm A's client received, all pairs together (unmasked).</param>
/// <param name="PlainBodyBytes">The same for arm B.</param>
/// <param name="CopiesAnswered">Shadow copies answered while the check ran (one per A request is expected).</param>
/// <param name="Differences">The first difference of each pair that differed.</param>
/// <param name="Framing">How A's responses were framed (<c>content-length</c> or <c>chunked</c>): with chunked framing the client's
/// body only ends when the gateway's request pipeline has returned, so work done after the last write still delays it.</param>
internal sealed record ByteIdentityResult(
    string Kind,
    int Pairs,
    int IdenticalBodies,
    int IdenticalHeaders,
    long ShadowedBodyBytes,
    long PlainBodyBytes,
    long CopiesAnswered,
    IReadOnlyList<string> Differences,
    string Framing)
{
    public bool Identical => Pairs > 0 && IdenticalBodies == Pairs && IdenticalHeaders == Pairs;
}

/// <summary>
/// Is the client's answer the same with a shadow step as without? The same request (<see cref="LoadTestBundle.PromptRequest"/>)
/// goes to arm A (shadow step, 100%) and arm B (no rollout), whose v1 bundles have the same messages, one pair after the
/// other, the arm sent first alternating. The bodies are compared byte for byte after masking what differs between any
/// two responses (<see cref="Masks"/>: the mock's <c>mock-N</c> ids and <c>created</c> time, and the stream trailer's
/// measured <c>ttft_ms</c>), and the prompt's own name; the headers by name and value, without the ones that are unique
/// per response, the prompt's name masked (<c>X-Prompt-Name</c> names it). The shadow copies are then waited for, so the
/// check also shows that A's copies were made.
/// </summary>
internal static partial class ByteIdentityCheck
{
    /// <summary>Headers that differ between any two responses (the same list as the gateway's own shadow test).</summary>
    public static readonly string[] PerResponseHeaders = ["Date", "X-Request-Id", "X-Upstream-Request-Id", "traceparent"];

    /// <summary>What is masked in the bodies before they are compared, as the report says it.</summary>
    public const string Masks = "the mock's `mock-N` ids and `created` times, the gateway's measured `ttft_ms` in the stream's usage trailer, and the prompt's name";

    private const string NameMask = "<prompt>";

    private static readonly TimeSpan CopyWait = TimeSpan.FromSeconds(15);

    public static async Task<ByteIdentityResult> RunAsync(Uri gateway, string apiKey, GatewayProbe probe, bool stream, int pairs)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        var before = await ShadowCounters.ReadAsync(probe);
        int identicalBodies = 0, identicalHeaders = 0;
        long shadowedBytes = 0, plainBytes = 0;
        var differences = new List<string>();
        var framing = new SortedSet<string>(StringComparer.Ordinal);
        for (var pair = 1; pair <= pairs; pair++)
        {
            Answer shadowed, plain;
            if (pair % 2 == 1)
            {
                shadowed = await SendAsync(http, apiKey, ShadowArm.WithShadow.Prompt, stream);
                plain = await SendAsync(http, apiKey, ShadowArm.WithoutShadow.Prompt, stream);
            }
            else
            {
                plain = await SendAsync(http, apiKey, ShadowArm.WithoutShadow.Prompt, stream);
                shadowed = await SendAsync(http, apiKey, ShadowArm.WithShadow.Prompt, stream);
            }

            framing.Add(shadowed.Framing);
            shadowedBytes += shadowed.Body.Length;
            plainBytes += plain.Body.Length;
            var a = Mask(shadowed.Body, ShadowArm.WithShadow.Prompt);
            var b = Mask(plain.Body, ShadowArm.WithoutShadow.Prompt);
            if (shadowed.Status == 200 && plain.Status == 200 && a == b)
            {
                identicalBodies++;
            }
            else
            {
                differences.Add($"pair {pair} body: {FirstDifference(a, b)} (status A {shadowed.Status}, B {plain.Status})");
            }

            var headersA = shadowed.Headers.Replace(ShadowArm.WithShadow.Prompt, NameMask, StringComparison.Ordinal);
            var headersB = plain.Headers.Replace(ShadowArm.WithoutShadow.Prompt, NameMask, StringComparison.Ordinal);
            if (headersA == headersB)
            {
                identicalHeaders++;
            }
            else
            {
                differences.Add($"pair {pair} headers: {FirstDifference(headersA, headersB)}");
            }
        }

        // Every A request above was shadowed: wait until its copy was answered (or something else became of it).
        var deadline = Stopwatch.StartNew();
        var since = (await ShadowCounters.ReadAsync(probe)).Since(before);
        while (since.AnsweredCalls + since.OtherCalls < pairs && deadline.Elapsed < CopyWait)
        {
            await Task.Delay(100);
            since = (await ShadowCounters.ReadAsync(probe)).Since(before);
        }

        return new ByteIdentityResult(stream ? "stream" : "chat", pairs, identicalBodies, identicalHeaders, shadowedBytes, plainBytes, since.AnsweredCalls, differences, string.Join(", ", framing));
    }

    /// <summary>The body with <see cref="Masks"/> masked; everything else byte for byte (UTF-8 round-trips).</summary>
    public static string Mask(byte[] body, string prompt)
    {
        var text = Encoding.UTF8.GetString(body).Replace(prompt, NameMask, StringComparison.Ordinal);
        text = MockId().Replace(text, "mock-N");
        text = CreatedField().Replace(text, "\"created\":T");
        return TimeToFirstTokenField().Replace(text, "\"ttft_ms\":T");
    }

    private static async Task<Answer> SendAsync(HttpClient http, string apiKey, string prompt, bool stream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new ByteArrayContent(LoadTestBundle.PromptRequest(prompt, stream)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        // Headers first, so the framing is read as sent (a buffered content computes a Content-Length of its own).
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var framing = response.Headers.TransferEncodingChunked == true ? "chunked"
            : response.Content.Headers.ContentLength is not null ? "content-length"
            : "until close";
        var body = await response.Content.ReadAsByteArrayAsync();
        // A length as whether it is this body's: the mock's numbered ids make two bodies' lengths differ by a digit.
        var length = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = string.Join('\n', response.Headers.Concat(response.Content.Headers)
            .Where(h => !PerResponseHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .Select(h => h.Key == "Content-Length" ? $"Content-Length: {(h.Value.Single() == length ? "this body's" : h.Value.Single())}" : $"{h.Key}: {string.Join(",", h.Value)}")
            .Order(StringComparer.Ordinal));
        return new Answer((int)response.StatusCode, body, headers, framing);
    }

    private static string FirstDifference(string a, string b)
    {
        var at = 0;
        while (at < a.Length && at < b.Length && a[at] == b[at])
        {
            at++;
        }

        return $"at character {at}: A «{Excerpt(a, at)}» vs B «{Excerpt(b, at)}»";
    }

    private static string Excerpt(string text, int at) =>
        at >= text.Length ? "(end)" : text.Substring(Math.Max(0, at - 20), Math.Min(text.Length, at + 40) - Math.Max(0, at - 20)).ReplaceLineEndings("⏎");

    [GeneratedRegex(@"mock-\d+")]
    private static partial Regex MockId();

    [GeneratedRegex(@"""created"":\d+")]
    private static partial Regex CreatedField();

    [GeneratedRegex(@"""ttft_ms"":[0-9.eE+-]+")]
    private static partial Regex TimeToFirstTokenField();

    private sealed record Answer(int Status, byte[] Body, string Headers, string Framing);
}
