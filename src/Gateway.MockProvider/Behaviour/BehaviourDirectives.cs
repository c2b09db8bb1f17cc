using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Behaviour;

/// <summary>
/// Per-version behaviour written into a request's instructions as <c>[[mock:name=value,…]]</c>, so a prompt version
/// (whose rendered system text the gateway sends upstream) can make the mock misbehave at a given rate.
/// See README.md, "Behaviour directives (per prompt version)".
/// </summary>
internal sealed partial record BehaviourDirectives(double Refuse, double Error, int ExtraTokens, double InvalidJson, bool Json, int LatencyMs, double Slow = 1)
{
    /// <summary>The reply of a refusing version; <c>is-refusal</c> (Gateway.Eval) recognises it.</summary>
    public const string RefusalText = "I'm sorry, but I can't help with that.";

    /// <summary>The word <c>extra-tokens</c> appends (with a leading space), one o200k token each.</summary>
    public const string ExtraWord = " lorem";

    public const int MaxExtraTokens = 100_000;

    private const string Known = "refuse, error, extra-tokens, invalid-json, json, latency-ms, slow";

    public static BehaviourDirectives None { get; } = new(0, 0, 0, 0, Json: false, 0);

    /// <summary>Reads every directive in <paramref name="texts"/>; a later value of the same name wins.</summary>
    /// <exception cref="InvalidRequestException">A directive with an unknown name or a value out of range.</exception>
    public static BehaviourDirectives Parse(IEnumerable<string?> texts)
    {
        var result = None;
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text) || !text.Contains("[[mock:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match match in Directive().Matches(text))
            {
                var items = match.Groups["body"].Value.Split(',', StringSplitOptions.TrimEntries);
                foreach (var item in items)
                {
                    result = result.With(item);
                }
            }
        }

        return result;
    }

    /// <summary><paramref name="text"/> without its directives (and the whitespace before them), trimmed; unchanged when it has none.</summary>
    public static string Strip(string text) =>
        text.Contains("[[mock:", StringComparison.Ordinal) ? DirectiveWithLeadingSpace().Replace(text, string.Empty).Trim() : text;

    /// <summary>
    /// <c>latency-ms</c> (on the <c>slow</c> share of requests, all by default), then <c>error</c>: waits, and writes
    /// the injected 500 when the draw fails the request.
    /// True when the response has been written and the handler must stop.
    /// </summary>
    public async Task<bool> DelayOrFailAsync(HttpContext context, string key)
    {
        if (LatencyMs > 0 && BehaviourDraw.Hits("slow", key, Slow))
        {
            await Task.Delay(LatencyMs, context.RequestAborted);
        }

        if (!BehaviourDraw.Hits("error", key, Error))
        {
            return false;
        }

        var message = string.Create(CultureInfo.InvariantCulture, $"The mock provider injected HTTP 500 (behaviour directive error={Error}).");
        await OpenAiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, message, "server_error");
        return true;
    }

    /// <summary>
    /// The reply this version gives: the exact <see cref="RefusalText"/> when <c>refuse</c> draws; otherwise
    /// <paramref name="reply"/> plus the <c>extra-tokens</c> words, as <c>{"answer":…}</c> when <c>json</c> is on,
    /// and with that object's closing brace missing when <c>invalid-json</c> draws.
    /// </summary>
    public string Shape(string reply, string key)
    {
        if (BehaviourDraw.Hits("refuse", key, Refuse))
        {
            return RefusalText;
        }

        if (ExtraTokens > 0)
        {
            var builder = new StringBuilder(reply, reply.Length + (ExtraTokens * ExtraWord.Length));
            builder.Insert(builder.Length, ExtraWord, ExtraTokens);
            reply = builder.ToString();
        }

        var broken = BehaviourDraw.Hits("invalid-json", key, InvalidJson);
        if (!Json && !broken)
        {
            return reply;
        }

        var answer = AnswerObject(reply);
        return broken ? answer[..^1] : answer;
    }

    private static string AnswerObject(string reply)
    {
        var buffer = new ArrayBufferWriter<byte>(reply.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("answer", reply);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private BehaviourDirectives With(string item)
    {
        var equals = item.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? item : item[..equals].Trim();
        var value = equals < 0 ? null : item[(equals + 1)..].Trim();
        return name switch
        {
            "refuse" => this with { Refuse = Probability(item, name, value) },
            "error" => this with { Error = Probability(item, name, value) },
            "invalid-json" => this with { InvalidJson = Probability(item, name, value) },
            "extra-tokens" => this with { ExtraTokens = Integer(item, name, value, MaxExtraTokens) },
            "latency-ms" => this with { LatencyMs = Integer(item, name, value, int.MaxValue) },
            "slow" => this with { Slow = Probability(item, name, value) },
            "json" => this with { Json = Flag(item, name, value) },
            _ => throw new InvalidRequestException($"Unknown mock directive '{item}' in the instructions; known directives: {Known}."),
        };
    }

    private static double Probability(string item, string name, string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
            ? p
            : throw new InvalidRequestException($"Mock directive '{item}' is invalid: '{name}' must be a probability in [0, 1].");

    private static int Integer(string item, string name, string? value, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
            ? n
            : throw new InvalidRequestException($"Mock directive '{item}' is invalid: '{name}' must be an integer in [0, {max}].");

    private static bool Flag(string item, string name, string? value) => value switch
    {
        "1" or "true" => true,
        "0" or "false" => false,
        _ => throw new InvalidRequestException($"Mock directive '{item}' is invalid: '{name}' must be 1 or 0."),
    };

    [GeneratedRegex(@"\[\[mock:(?<body>[^\]]*)\]\]", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Directive();

    [GeneratedRegex(@"\s*\[\[mock:[^\]]*\]\]", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex DirectiveWithLeadingSpace();
}
