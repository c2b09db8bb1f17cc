using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>A thin client for <c>/admin/v1</c> that returns the status and the parsed body.</summary>
public sealed class AdminClient(GatewayHost gateway, string token) : IDisposable
{
    private readonly HttpClient _http = gateway.CreateClient(token);

    public Task<AdminResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<AdminResponse> PostAsync(string path, string? json = null) => SendAsync(HttpMethod.Post, path, json);

    /// <summary>A PUT; without <paramref name="json"/>, one with no body at all.</summary>
    public Task<AdminResponse> PutAsync(string path, string? json) => SendAsync(HttpMethod.Put, path, json);

    public Task<AdminResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public Task<AdminResponse> PushAsync(string bundleJson) => PostAsync("/admin/v1/prompts", bundleJson);

    public Task<AdminResponse> ReleaseAsync(string prompt, string environment, string action, string json) =>
        action == "set"
            ? PutAsync($"/admin/v1/prompts/{prompt}/releases/{environment}", json)
            : PostAsync($"/admin/v1/prompts/{prompt}/releases/{environment}/{action}", json);

    public void Dispose() => _http.Dispose();

    private async Task<AdminResponse> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new AdminResponse(response.StatusCode, text);
    }
}

public sealed record AdminResponse(HttpStatusCode Status, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public string? ErrorCode => Json.GetProperty("error").GetProperty("code").GetString();

    public AdminResponse Expect(HttpStatusCode status)
    {
        Assert.True(Status == status, $"Expected {status}, got {Status}: {Text}");
        return this;
    }
}
