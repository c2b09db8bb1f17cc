using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using LlmGateway.Cli.Http;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Cli.Eval;

/// <summary>
/// One cheap call before an evaluation spends anything: <c>GET /v1/models</c> with the gateway key. An unreachable
/// gateway then exits 3 at once, as every other command does, instead of retrying every case for half a minute and
/// reporting an empty run; a refused key exits 2 with the gateway's message; a redirect exits 3 naming where it points.
/// </summary>
internal static class GatewayPreflight
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<PreflightProblem?> CheckAsync(HttpClient http, Uri gatewayUrl, string key, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(gatewayUrl.ToString().TrimEnd('/') + "/v1/models", UriKind.Absolute);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => new PreflightProblem(
                    $"The gateway at {gatewayUrl} refused the gateway key (401): check GATEWAY_API_KEY.", "invalid_gateway_key", EvalExitCodes.Error),
                _ when status >= 500 => new PreflightProblem(
                    $"The gateway at {gatewayUrl} answered {status.ToString(CultureInfo.InvariantCulture)} to GET /v1/models.", "gateway_unavailable", EvalExitCodes.Unavailable),
                // Never followed (see eval run's client); said as the admin client says it, and exit 3 as for every other command.
                _ when status is >= 300 and < 400 => new PreflightProblem(
                    $"The gateway at {gatewayUrl} redirected GET /v1/models to {response.Headers.Location?.ToString() ?? "(no Location header)"}; point --url / {ConnectionSettings.UrlVariable} at the final address.",
                    $"http_{status.ToString(CultureInfo.InvariantCulture)}",
                    EvalExitCodes.Unavailable),
                _ => null,
            };
        }
        catch (HttpRequestException ex)
        {
            return new PreflightProblem($"The gateway at {gatewayUrl} cannot be reached: {ex.Message}", "gateway_unreachable", EvalExitCodes.Unavailable);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PreflightProblem($"The gateway at {gatewayUrl} did not answer GET /v1/models within {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", "gateway_unreachable", EvalExitCodes.Unavailable);
        }
    }
}
