using System.Text.Json;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>
/// The <c>response-headers</c> knob: a JSON object of headers added to the response, whatever it is (a reply, a
/// stream, an injected error), as a real provider adds its cookies, account and rate-limit headers. A value is a
/// string, or an array of strings for a header sent several times (<c>Set-Cookie</c>).
/// </summary>
internal static class ResponseHeadersKnob
{
    public static IReadOnlyList<KeyValuePair<string, string>>? Parse(string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(raw);
            }

            var headers = new List<KeyValuePair<string, string>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    headers.Add(new(property.Name, property.Value.GetString()!));
                }
                else if (property.Value.ValueKind == JsonValueKind.Array && property.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
                {
                    headers.AddRange(property.Value.EnumerateArray().Select(v => new KeyValuePair<string, string>(property.Name, v.GetString()!)));
                }
                else
                {
                    throw Invalid(raw);
                }
            }

            return headers;
        }
        catch (JsonException)
        {
            throw Invalid(raw);
        }
    }

    public static void Apply(HttpResponse response, IReadOnlyList<KeyValuePair<string, string>>? headers)
    {
        foreach (var (name, value) in headers ?? [])
        {
            response.Headers.Append(name, value);
        }
    }

    private static InvalidRequestException Invalid(string raw) =>
        new($"Mock knob 'response-headers' must be a JSON object of strings (or arrays of strings), got '{raw}'.");
}
