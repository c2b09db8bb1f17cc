using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace LlmGateway.Cli.Http;

/// <summary>A successful answer of the gateway, kept as text so <c>--json</c> can print exactly what the server said.</summary>
/// <param name="Headers">The answer's own headers (not its content's), by name ignoring case; one value each, joined with ", ".</param>
internal sealed record GatewayResponse(HttpStatusCode Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>A header of the answer, or null.</summary>
    public string? Header(string name) => Headers is not null && Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as <typeparamref name="T"/>, read leniently (<see cref="CliJsonContext.Lenient{T}"/>).</summary>
    public T Read<T>(JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(Body, CliJsonContext.Lenient(typeInfo))
                ?? throw new JsonException("The body is JSON null.");
        }
        catch (JsonException ex)
        {
            throw Unexpected(ex);
        }
    }

    public JsonElement ReadElement()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw Unexpected(ex);
        }
    }

    /// <summary>A 2xx answer that is not the JSON expected: the gateway failing (exit 3), as any unreadable answer is.</summary>
    public static GatewayUnavailableException Unexpected(JsonException ex) =>
        new($"The gateway's answer is not the JSON that gatewayctl {CliVersion.Current} expects ({ex.Message}).", "unexpected_response", ex);
}
