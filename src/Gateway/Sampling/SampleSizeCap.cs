using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Serialization;

namespace LlmGateway.Sampling;

/// <summary>
/// Keeps a stored sample under its byte cap by cutting its longest strings, each cut marked in
/// place, halving the allowance until it fits. A record that still does not fit (thousands of
/// short messages) keeps its response and loses the request bodies.
/// </summary>
internal static class SampleSizeCap
{
    private const int SmallestAllowance = 64;

    public static SampleRecord Apply(SampleRecord record, int maxBytes) => Fit(record, maxBytes).Record;

    /// <summary>The record as it is stored, cut to fit if it must, with the JSON it was measured on.</summary>
    public static SerializedSample Fit(SampleRecord record, int maxBytes)
    {
        var json = Serialize(record);
        if (json.Length <= maxBytes)
        {
            return new SerializedSample(record, json);
        }

        var longest = LongestString(record);
        for (var allowance = longest / 2; allowance >= SmallestAllowance; allowance /= 2)
        {
            var cut = Cut(record, allowance);
            json = Serialize(cut);
            if (json.Length <= maxBytes)
            {
                return new SerializedSample(cut, json);
            }
        }

        var bare = Cut(record, SmallestAllowance) with { Request = null, Input = new SampleInput() };
        bare = bare with { Response = bare.Response with { ToolCalls = [], Cut = bare.Response.Cut || record.Response.ToolCalls.Count > 0 } };
        return new SerializedSample(bare, Serialize(bare));
    }

    public static int Size(SampleRecord record) => Serialize(record).Length;

    /// <summary>UTF-8 bytes, as the store keeps them: a string first would be twice the size, then encoded again.</summary>
    public static byte[] Serialize(SampleRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, GatewayJsonContext.Default.SampleRecord);

    /// <summary>The marker that replaces the end of a cut string.</summary>
    public static string Marker(int removed) => $"…[truncated {removed.ToString(CultureInfo.InvariantCulture)} chars]";

    /// <summary>The marker where a request body was cut when it was captured (<see cref="SamplingOptions.MaxBodyCaptureBytes"/>).</summary>
    public static string BytesMarker(int removed) => $"…[truncated {removed.ToString(CultureInfo.InvariantCulture)} bytes]";

    private static SampleRecord Cut(SampleRecord record, int allowance) => record with
    {
        Truncated = true,
        Request = CutTree(record.Request, allowance),
        Input = new SampleInput { Messages = CutTree(record.Input.Messages, allowance), Variables = CutTree(record.Input.Variables, allowance) },
        Response = record.Response with
        {
            Cut = record.Response.Cut || record.Response.Text?.Length > allowance || record.Response.Refusal?.Length > allowance || record.Response.ToolCalls.Any(c => c.Arguments.Length > allowance),
            Text = CutText(record.Response.Text, allowance),
            // A refusal is the model's answer too, and a provider's error message is whatever it sent: both are cut
            // like the text, or a long one kept the record over its cap and cost it its request and input for nothing.
            Refusal = CutText(record.Response.Refusal, allowance),
            Error = CutText(record.Response.Error, allowance),
            ToolCalls = record.Response.ToolCalls.Select(c => c with { Arguments = CutText(c.Arguments, allowance)! }).ToArray(),
        },
    };

    private static string? CutText(string? text, int allowance) =>
        text is null || text.Length <= allowance ? text : text[..allowance] + Marker(text.Length - allowance);

    private static JsonNode? CutTree(JsonNode? node, int allowance)
    {
        if (node is null)
        {
            return null;
        }

        var copy = node.DeepClone();
        CutInPlace(copy, allowance);
        return copy;
    }

    private static void CutInPlace(JsonNode node, int allowance)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToArray())
                {
                    if (obj[name] is { } child)
                    {
                        if (child is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > allowance)
                        {
                            obj[name] = CutText(text, allowance);
                        }
                        else
                        {
                            CutInPlace(child, allowance);
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } child)
                    {
                        if (child is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > allowance)
                        {
                            array[i] = CutText(text, allowance);
                        }
                        else
                        {
                            CutInPlace(child, allowance);
                        }
                    }
                }

                break;
        }
    }

    private static int LongestString(SampleRecord record)
    {
        var longest = new[] { record.Response.Text?.Length ?? 0, record.Response.Refusal?.Length ?? 0, record.Response.Error?.Length ?? 0 }
            .Concat(record.Response.ToolCalls.Select(c => c.Arguments.Length)).Max();
        foreach (var tree in new[] { record.Request, record.Input.Messages, record.Input.Variables })
        {
            longest = Math.Max(longest, LongestIn(tree));
        }

        return longest;
    }

    private static int LongestIn(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Select(p => LongestIn(p.Value)).DefaultIfEmpty(0).Max(),
        JsonArray array => array.Select(LongestIn).DefaultIfEmpty(0).Max(),
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length,
        _ => 0,
    };
}
