using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Samples;

/// <summary>Samples in words: the cells of <c>samples list</c> and the readable view of <c>samples show</c>.</summary>
internal static class SampleFormatter
{
    /// <summary>"support-bot@v3", "support-bot" when the version is unknown, "-" for a plain-model request.</summary>
    public static string PromptAtVersion(string? prompt, int? version) =>
        string.IsNullOrWhiteSpace(prompt) ? TextTable.Missing
        : version is null ? prompt
        : $"{prompt}@{Display.Version(version)}";

    /// <summary>Whole milliseconds: the fraction is noise next to a network round trip.</summary>
    public static string Milliseconds(double? milliseconds) =>
        milliseconds is { } value ? value.ToString("0", CultureInfo.InvariantCulture) + " ms" : TextTable.Missing;

    /// <summary>
    /// Dollars with up to ten decimals: one request of a small model costs millionths of a dollar, which
    /// the usage table's six decimals would round to 0.
    /// </summary>
    public static string Cost(decimal? usd) =>
        usd is { } value ? value.ToString("0.##########", CultureInfo.InvariantCulture) : TextTable.Missing;

    public static string Render(SampleRecord sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Sample {sample.Id} of request {Display.Text(sample.RequestId)} at {Display.Instant(sample.Timestamp)} (sampled: {Display.Text(sample.Reason)})\n");
        text.Append(Routing(sample)).Append('\n');

        AppendMessages(text, sample.Input?.Messages);
        AppendVariables(text, sample.Input?.Variables);
        AppendResponse(text, sample.Response);

        var details = new LabelledValues()
            .Add("finish reason", sample.Response?.FinishReason ?? sample.Usage?.FinishReason)
            .Add("tokens", Tokens(sample.Usage))
            .Add("cost USD", CostWithSource(sample.Usage))
            .Add("latency", Latency(sample.LatencyMs, sample.TtftMs ?? sample.Usage?.TtftMs))
            .Add("redactions", Redactions(sample.Redactions))
            .Add("truncated", sample.Truncated ? "yes: a field was cut to the sample size cap (the cut is marked in the text)" : "no");
        text.Append('\n').Append(details.ToString());
        return text.ToString();
    }

    /// <summary>"Route: support-bot v3 (canary) in production → gpt-4o-mini via openai, key key_1, /v1/chat/completions".</summary>
    internal static string Routing(SampleRecord sample)
    {
        var route = new StringBuilder("Route: ");
        if (string.IsNullOrWhiteSpace(sample.Prompt))
        {
            route.Append("no prompt");
        }
        else
        {
            route.Append(sample.Prompt);
            if (sample.Version is not null)
            {
                route.Append(' ').Append(Display.Version(sample.Version));
            }

            if (!string.IsNullOrWhiteSpace(sample.Variant))
            {
                route.Append(" (").Append(sample.Variant).Append(')');
            }
        }

        route.Append(" in ").Append(sample.Environment ?? "no environment");
        route.Append(" → ").Append(Display.Text(sample.Model));
        if (!string.IsNullOrWhiteSpace(sample.Provider))
        {
            route.Append(" via ").Append(sample.Provider);
        }

        route.Append(", key ").Append(Display.Text(sample.KeyId));
        if (!string.IsNullOrWhiteSpace(sample.Endpoint))
        {
            route.Append(", ").Append(sample.Endpoint);
        }

        return route.ToString();
    }

    private static void AppendMessages(StringBuilder text, JsonElement? messages)
    {
        if (messages is not { ValueKind: JsonValueKind.Array } list)
        {
            // A prompt request may send variables only; its messages are the bundle's, not the application's.
            text.Append("\nInput messages: none\n");
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"\nInput messages ({list.GetArrayLength()})\n");
        foreach (var message in list.EnumerateArray())
        {
            AppendIndented(text, $"{Speaker(message)}: ", MessageText(message));
        }
    }

    private static void AppendVariables(StringBuilder text, JsonElement? variables)
    {
        if (variables is not { ValueKind: JsonValueKind.Object } map || !map.EnumerateObject().Any())
        {
            return;
        }

        var values = new LabelledValues();
        foreach (var variable in map.EnumerateObject())
        {
            values.Add(variable.Name, Scalar(variable.Value));
        }

        text.Append("\nVariables\n").Append(values.ToString(indent: 2));
    }

    private static void AppendResponse(StringBuilder text, SampleResponse? response)
    {
        if (response is null)
        {
            text.Append("\nResponse: none\n");
            return;
        }

        var how = new List<string> { "HTTP " + Display.Number(response.Status) };
        if (response.Streamed)
        {
            how.Add(response.Complete ? "streamed" : "streamed, cut off before its end");
        }

        if (!string.IsNullOrWhiteSpace(response.Model))
        {
            how.Add("model " + response.Model);
        }

        text.Append(CultureInfo.InvariantCulture, $"\nResponse ({string.Join(", ", how)})\n");
        if (!string.IsNullOrEmpty(response.Text))
        {
            AppendIndented(text, "", response.Text);
        }
        else if (response.ToolCalls is not { Count: > 0 } && string.IsNullOrEmpty(response.Refusal) && string.IsNullOrEmpty(response.Error))
        {
            text.Append("  (no text)\n");
        }

        if (!string.IsNullOrEmpty(response.Refusal))
        {
            AppendIndented(text, "refusal: ", response.Refusal);
        }

        if (!string.IsNullOrEmpty(response.Error))
        {
            AppendIndented(text, "error: ", response.Error);
        }

        if (response.ToolCalls is { Count: > 0 } calls)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nTool calls ({calls.Count})\n");
            foreach (var call in calls)
            {
                AppendIndented(text, $"{Display.Text(call.Id)}  ", $"{Display.Text(call.Name)}({call.Arguments})");
            }
        }
    }

    /// <summary>"user", "tool (call_1)", "assistant (alice)": the role, and whom or what it speaks for.</summary>
    private static string Speaker(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return "?";
        }

        var role = Scalar(Property(message, "role"));
        var about = Property(message, "tool_call_id") is { ValueKind: JsonValueKind.String } callId ? callId.GetString()
            : Property(message, "name") is { ValueKind: JsonValueKind.String } name ? name.GetString()
            : null;
        return string.IsNullOrEmpty(about) ? role : $"{role} ({about})";
    }

    /// <summary>
    /// The content as text: a string as it is, the text parts of a list joined (other parts, such as
    /// images, named in brackets), then any tool calls the message made.
    /// </summary>
    private static string MessageText(JsonElement message)
    {
        var content = message.ValueKind == JsonValueKind.Object ? Property(message, "content") : message;
        var lines = new List<string>();
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                lines.Add(content.GetString() ?? "");
                break;
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    lines.Add(Property(part, "text") is { ValueKind: JsonValueKind.String } partText
                        ? partText.GetString() ?? ""
                        : $"[{Scalar(Property(part, "type"))}]");
                }

                break;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                break;
            default:
                lines.Add(JsonPrinter.Compact(content));
                break;
        }

        if (message.ValueKind == JsonValueKind.Object && Property(message, "tool_calls") is { ValueKind: JsonValueKind.Array } calls)
        {
            foreach (var call in calls.EnumerateArray())
            {
                var function = Property(call, "function");
                lines.Add($"→ {Scalar(Property(function, "name"))}({Scalar(Property(function, "arguments"))})");
            }
        }

        return lines.Count == 0 ? "(empty)" : string.Join('\n', lines);
    }

    private static string? Tokens(SampleUsage? usage) =>
        usage is null
            ? "- (nothing was billed)"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{Display.Number(usage.InputTokens)} in ({Display.Number(usage.CachedInputTokens)} cached), {Display.Number(usage.OutputTokens)} out ({Display.Number(usage.ReasoningTokens)} reasoning), {Source(usage.Source)}");

    /// <summary>Says how far to trust the tokens and so the cost: the provider's count is exact, the gateway's an estimate.</summary>
    private static string Source(string? source) => source switch
    {
        "reported" => "reported by the provider",
        "estimated" => "estimated by the gateway",
        "bounded" => "unread by the gateway: billed at the request's output bound",
        _ => Display.Text(source),
    };

    private static string? CostWithSource(SampleUsage? usage) =>
        usage is null ? null
        : usage.CostUsd is null ? "- (the model has no price)"
        : $"{Cost(usage.CostUsd)} (from {usage.Source ?? "?"} tokens)";

    private static string Latency(double? total, double? firstToken) =>
        firstToken is null ? Milliseconds(total) : $"{Milliseconds(total)} (first token after {Milliseconds(firstToken)})";

    private static string Redactions(IReadOnlyDictionary<string, int>? redactions) =>
        redactions is { Count: > 0 }
            ? string.Join(", ", redactions.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key} {r.Value}")))
            : "none";

    /// <summary>The first line after the prefix, the others under it, all indented by two.</summary>
    private static void AppendIndented(StringBuilder text, string prefix, string value)
    {
        var lines = value.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        text.Append("  ").Append(prefix).Append(lines[0]).Append('\n');
        var continuation = new string(' ', 2 + prefix.Length);
        foreach (var line in lines.Skip(1))
        {
            text.Append(line.Length == 0 ? "" : continuation).Append(line).Append('\n');
        }
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Strings as they are, null as "-", anything else as one line of JSON.</summary>
    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => TextTable.Missing,
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Object or JsonValueKind.Array => JsonPrinter.Compact(value),
        _ => value.GetRawText(),
    };
}
