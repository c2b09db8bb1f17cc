using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary>Reads admin request bodies so that bad JSON gets the gateway's error shape, not a bare 400.</summary>
internal static class AdminRequestBody
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// A 413 when the declared length is over <see cref="MaxBytes"/>; otherwise the server is told the limit, so a body
    /// without a length (chunked) is cut by Kestrel at the limit (a 413 in OpenAI's shape) instead of read to its 30 MB.
    /// </summary>
    public static IResult? TooLarge(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes)
        {
            return AdminResults.Error(StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large", $"Admin request bodies are limited to {MaxBytes} bytes.", "body");
        }

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }

        return null;
    }

    /// <summary>An absent body reads as <paramref name="empty"/>; malformed JSON, unknown fields or a field given twice give an error result.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, T empty)
    {
        // Asks the server, not the headers: HTTP/2 bodies have no Transfer-Encoding.
        var canHaveBody = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (request.ContentLength > 0 || request.Headers.ContainsKey("Transfer-Encoding"));
        if (request.ContentLength is 0 || !canHaveBody)
        {
            return (empty, null);
        }

        if (TooLarge(request) is { } tooLarge)
        {
            return (default, tooLarge);
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted);
            return (value ?? empty, null);
        }
        catch (JsonException ex) when (DuplicateFields.Of(ex) is { } twice)
        {
            return (default, AdminResults.Invalid($"'{twice}' is given twice; give it once.", twice));
        }
        catch (JsonException ex) when (MissingRequired(ex.Message) is { } missing)
        {
            // The serializer's own message names our internal type: say only which field is missing.
            return (default, AdminResults.Invalid($"The body must carry '{missing}'.", missing));
        }
        catch (JsonException ex)
        {
            var field = ex.Path is null or "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (default, AdminResults.Invalid($"The body is not valid here: {ex.Message.Split(" Path:")[0]}", field));
        }
    }

    // "JSON deserialization for type 'X' was missing required properties including: 'a', 'b'." → a
    private static string? MissingRequired(string message)
    {
        const string Marker = "missing required properties including: '";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + Marker.Length;
        var end = message.IndexOf('\'', start);
        return end > start ? message[start..end] : null;
    }
}
