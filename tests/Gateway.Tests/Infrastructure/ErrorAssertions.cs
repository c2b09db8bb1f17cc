using System.Net;
using System.Text.Json;

namespace LlmGateway.Tests.Infrastructure;

public static class ErrorAssertions
{
    /// <summary>Asserts OpenAI's error shape and returns the parsed <c>error</c> object.</summary>
    public static async Task<JsonElement> AssertOpenAiErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.True(error.TryGetProperty("param", out _), "error.param must be present (null allowed)");
        Assert.True(error.TryGetProperty("code", out var actualCode), "error.code must be present");
        if (code is not null)
        {
            Assert.Equal(code, actualCode.GetString());
        }

        return error.Clone();
    }
}
