using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.Harness;

/// <summary>Reads the gateway from the outside: <c>/readyz</c>, <c>/metrics</c>, and single prompt calls.</summary>
internal sealed class GatewayProbe(Uri gateway) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The overall <c>/readyz</c> status (<c>Healthy</c>, <c>Degraded</c>, <c>Unhealthy</c>), or <c>unreachable</c>.</summary>
    public async Task<string> ReadinessAsync()
    {
        try
        {
            using var response = await _http.GetAsync("/readyz");
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return document.RootElement.GetProperty("status").GetString() ?? "unknown";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            return "unreachable";
        }
    }

    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (await ReadinessAsync() != "Healthy")
        {
            if (deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"The gateway was not ready within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>One scrape of <c>/metrics</c>, to read several metrics from (<see cref="Sum"/>, <see cref="ByLabel"/>).</summary>
    public Task<string> ScrapeAsync() => _http.GetStringAsync("/metrics");

    /// <summary>
    /// Sum of every series of a Prometheus metric (all label sets), or 0 when it has none yet. Counters only appear
    /// once incremented, so "absent" is read as zero.
    /// </summary>
    public async Task<double> MetricSumAsync(string name) => Sum(await ScrapeAsync(), name);

    /// <summary>
    /// A Prometheus metric summed per value of one label (e.g. <c>gateway_shadow_calls_total</c> by <c>outcome</c>); series
    /// without that label are summed under the empty string. Empty when the metric has no series yet.
    /// </summary>
    public async Task<Dictionary<string, double>> MetricByLabelAsync(string name, string label) => ByLabel(await ScrapeAsync(), name, label);

    /// <summary><see cref="MetricSumAsync"/> over a scrape already taken.</summary>
    public static double Sum(string scrape, string name)
    {
        double sum = 0;
        foreach (var line in scrape.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    sum += number;
                }
            }
        }

        return sum;
    }

    /// <summary><see cref="MetricByLabelAsync"/> over a scrape already taken.</summary>
    public static Dictionary<string, double> ByLabel(string scrape, string name, string label)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        var marker = label + "=\"";
        foreach (var line in scrape.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length <= name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var value = line[(line.LastIndexOf(' ') + 1)..];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                continue;
            }

            var key = string.Empty;
            // The label as a whole name: right after '{' or ','.
            var at = line.IndexOf('{' + marker, StringComparison.Ordinal);
            at = at >= 0 ? at : line.IndexOf(',' + marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = at + 1 + marker.Length;
                var end = line.IndexOf('"', start);
                key = end > start ? line[start..end] : string.Empty;
            }

            sums[key] = sums.GetValueOrDefault(key) + number;
        }

        return sums;
    }

    /// <summary>One prompt call; the version it was served, or null when the call failed.</summary>
    public async Task<int?> CallPromptAsync(string name, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new ByteArrayContent(LoadTestBundle.PromptRequest(name, stream: false)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await _http.SendAsync(request);
        return response.IsSuccessStatusCode && response.Headers.TryGetValues(PromptChatScenario.VersionHeader, out var values)
            ? int.Parse(values.First(), CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Waits until a prompt call is served <paramref name="version"/>, or any version when null (the release reached the snapshot).</summary>
    public async Task WaitForVersionAsync(string name, string key, int? version, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (await CallPromptAsync(name, key) is not { } served || (version is not null && served != version))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"prompt:{name} was not served (v{version}) within {timeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose() => _http.Dispose();
}
