using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmGateway.Sampling;

/// <summary>
/// Whether a sampled request failed through its client's own doing, so that the failure says nothing about the version
/// that served it: a rollout's <c>error</c> rate leaves it out, <c>client_error</c> counts it. A client picks its arm
/// (the split is sticky on its user id), so anything a client can provoke at will must not count against a version, or
/// a flood of bad requests on the canary aborts a good release, and one on stable hides a bad canary.
/// </summary>
/// <remarks>
/// The version's: the gateway's own failures of the upstream (timeouts, a provider's 429 or 401 as the gateway answers
/// them, no healthy upstream), 5xx, cut or stalled streams, error events, and a provider's 4xx that names (in
/// <c>error.param</c>, or <c>model_not_found</c>) a part of the request the gateway wrote rather than copied from the
/// client: the bundle's model, a parameter the bundle set, a message the bundle rendered. The client's: it left before
/// its answer was whole, or the provider refused its request without naming such a part (a field the client sent as it
/// is, one of its own messages, nothing at all) or for input the client controls wherever it sits
/// (<see cref="ClientInputCodes"/>: a client's variables can make a rendered message too long). When the gateway cannot
/// tell (a body cut at the capture cap, an error without a body), the refusal is the client's: counting it against the
/// version is what a client could exploit. Refusals the gateway makes itself (401, 413, 429 of the key's own limits,
/// a missing variable) end the request before it is sampled, and count nowhere.
/// </remarks>
internal static class ClientFault
{
    /// <summary>Provider codes about input a client controls, whichever part of the request holds it.</summary>
    private static readonly HashSet<string> ClientInputCodes = new(StringComparer.Ordinal)
    {
        "context_length_exceeded", "string_above_max_length", "content_policy_violation", "content_filter", "invalid_prompt",
    };

    /// <param name="client">The client's body, when kept whole.</param>
    /// <param name="upstream">The body forwarded upstream, when the gateway rewrote it and it was kept whole.</param>
    public static bool Of(SampleCapture capture, JsonObject? client, JsonObject? upstream)
    {
        if (capture.Failed || capture.Status >= 500)
        {
            return false;
        }

        if (capture.ClientGone)
        {
            return true;
        }

        return capture.Status >= 400 && !RefusesWhatTheGatewayWrote(capture.ResponseBody, client, upstream);
    }

    private static bool RefusesWhatTheGatewayWrote(ReadOnlySpan<byte> errorBody, JsonObject? client, JsonObject? upstream)
    {
        if (client is null || upstream is null)
        {
            return false;
        }

        var (code, param) = ReadError(errorBody);
        if (code is not null && ClientInputCodes.Contains(code))
        {
            return false;
        }

        var path = Segments(code == "model_not_found" ? "model" : param);
        if (path.Count == 0 || path[0] is not string field)
        {
            return false;
        }

        if (field == "messages")
        {
            // The client's messages are copied byte for byte, after the bundle's: one that is none of them, the bundle rendered.
            var message = path.Count > 1 && path[1] is int index ? Resolve(upstream, ["messages", index]) : null;
            return message is not null && !(client["messages"] is JsonArray own && own.Any(m => JsonNode.DeepEquals(m, message)));
        }

        var written = Resolve(upstream, path);
        return written is not null && !JsonNode.DeepEquals(Resolve(client, path), written);
    }

    /// <summary>The provider's <c>error.code</c> and <c>error.param</c>, when its body is OpenAI's error shape.</summary>
    private static (string? Code, string? Param) ReadError(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            var error = (JsonNode.Parse(body) as JsonObject)?["error"] as JsonObject;
            return (Text(error?["code"]), Text(error?["param"]));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
    }

    /// <summary>
    /// <c>error.param</c> as names and indexes: <c>messages[1].content</c>, <c>messages.[1].content</c> and
    /// <c>messages.1.content</c> alike; empty when it does not read as a path.
    /// </summary>
    internal static List<object> Segments(string? param)
    {
        var segments = new List<object>();
        if (string.IsNullOrWhiteSpace(param))
        {
            return segments;
        }

        foreach (var part in param.Trim().Split('.'))
        {
            var rest = part.AsSpan();
            var open = rest.IndexOf('[');
            var name = open < 0 ? rest : rest[..open];
            if (name.Length > 0)
            {
                segments.Add(int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : name.ToString());
            }

            while (open >= 0)
            {
                rest = rest[(open + 1)..];
                var close = rest.IndexOf(']');
                if (close < 0 || !int.TryParse(rest[..close], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return [];
                }

                segments.Add(index);
                rest = rest[(close + 1)..];
                open = rest.IndexOf('[');
                if (open != 0 && !rest.IsEmpty)
                {
                    return [];
                }
            }

            if (name.Length == 0 && part.Length == 0)
            {
                return [];
            }
        }

        return segments;
    }

    private static JsonNode? Resolve(JsonNode? node, List<object> path)
    {
        foreach (var segment in path)
        {
            node = segment switch
            {
                string name => node is JsonObject obj ? obj[name] : null,
                int index => node is JsonArray array && index < array.Count ? array[index] : null,
                _ => null,
            };
        }

        return node;
    }
}
