using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Embeddings for the <c>similar</c> scorer from the gateway's own <c>/v1/embeddings</c>, so scoring uses
/// the same catalog, keys and accounting as everything else. Wrap it in <see cref="CachingEmbeddingClient"/>.
/// </summary>
internal sealed class GatewayEmbeddingClient(HttpClient http, Uri baseUrl, string apiKey, string model) : IEmbeddingClient
{
    private readonly Uri _endpoint = new(baseUrl.ToString().TrimEnd('/') + "/v1/embeddings", UriKind.Absolute);

    public string Model => model;

    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["model"] = model, ["input"] = text, ["encoding_format"] = "float" });
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The gateway's embeddings endpoint answered {(int)response.StatusCode} for model '{model}'.");
        }

        using var document = JsonDocument.Parse(json);
        var vector = document.RootElement.GetProperty("data")[0].GetProperty("embedding");
        var values = new float[vector.GetArrayLength()];
        var i = 0;
        foreach (var value in vector.EnumerateArray())
        {
            values[i++] = value.GetSingle();
        }

        return values;
    }
}
