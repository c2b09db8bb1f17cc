using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Eval;

/// <summary>
/// The gateway as <c>eval run</c> sees it, in-process: <c>/v1/models</c> for the preflight, chat completions that
/// answer "Acme" on version 1 and "Generic" on any other (so an <c>icontains acme</c> assertion fails the candidate),
/// the versions' bundles (their ids, for the cache) and the stored runs. Any route can be answered otherwise.
/// </summary>
internal static partial class FakeEvalGateway
{
    public const string Prompt = "bot";
    public const string GatewayKey = "gk_eval_test";

    /// <summary>Run with <c>--concurrency 1</c>: the fake records requests in a list that is not thread-safe.</summary>
    public static FakeAdminApi Create(Func<HttpRequestMessage, HttpResponseMessage?>? overrides = null) =>
        new(request => overrides?.Invoke(request) ?? Answer(request));

    public static HttpResponseMessage Answer(HttpRequestMessage request)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/v1/models")
        {
            return Json(HttpStatusCode.OK, """{"object":"list","data":[]}""");
        }

        if (path == "/v1/chat/completions")
        {
            var version = request.Headers.GetValues("X-Prompt-Version").Single();
            var content = version == "1" ? "Acme support here." : "Generic support here.";
            var response = Json(HttpStatusCode.OK, $$$"""{"choices":[{"index":0,"message":{"role":"assistant","content":"{{{content}}}"}}]}""");
            response.Headers.TryAddWithoutValidation("X-Prompt-Version", version);
            response.Headers.TryAddWithoutValidation("X-Prompt-Name", Prompt);
            return response;
        }

        if (VersionPath().Match(path) is { Success: true } version2)
        {
            var number = version2.Groups[1].Value;
            return Json(HttpStatusCode.OK, $"{{\"name\":\"{Prompt}\",\"version\":{number},\"id\":\"bundle{number}\",\"eval\":{{\"thresholds\":{{\"accuracy\":0.9}}}}}}");
        }

        if (path == $"/admin/v1/prompts/{Prompt}/evals" && request.Method == HttpMethod.Post)
        {
            return Json(HttpStatusCode.Created, """{"id":"evr_test"}""");
        }

        return Json(HttpStatusCode.NotFound, """{"error":{"message":"not found","type":"not_found","code":"not_found"}}""");
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [GeneratedRegex("^/admin/v1/prompts/bot/versions/([0-9]+)$")]
    private static partial Regex VersionPath();
}
