using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Parses a judge model's reply strictly: the whole reply (trimmed) must be the JSON object
/// <c>{"pass": bool, "score": number in [0, 1], "reason": string}</c>, or exactly one <c>```json</c> (or bare
/// <c>```</c>) fence containing it. Extra properties are tolerated; duplicate, missing or mistyped ones are not.
/// </summary>
/// <remarks>
/// Strict because a lenient parser (first number in the prose, "PASS" somewhere in the text) turns a judge that
/// rambled or hedged into a verdict nobody asked for; an unparseable reply is an error, never a pass.
/// </remarks>
internal static partial class JudgeReplyParser
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    [GeneratedRegex(@"\A```(?:json)?[ \t]*\r?\n(?<body>.*?)\r?\n?```\z", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Fence();

    public static bool TryParse(string reply, out bool pass, out double score, [NotNullWhen(true)] out string? reason, [NotNullWhen(false)] out string? error)
    {
        pass = false;
        score = 0;
        reason = null;
        var text = reply.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var fence = Fence().Match(text);
            if (!fence.Success)
            {
                return Unparseable("a fence must be the whole reply: ```json, the object, ```", out error);
            }

            text = fence.Groups["body"].Value;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Strict);
        }
        catch (JsonException ex)
        {
            return Unparseable($"not a single JSON object ({ex.Message})", out error);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Unparseable($"expected an object, found {root.ValueKind}", out error);
            }

            if (!root.TryGetProperty("pass", out var passElement) || passElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Unparseable("'pass' must be true or false", out error);
            }

            if (!root.TryGetProperty("score", out var scoreElement) || scoreElement.ValueKind != JsonValueKind.Number
                || !scoreElement.TryGetDouble(out score) || score is < 0 or > 1)
            {
                score = 0;
                return Unparseable("'score' must be a number in [0, 1]", out error);
            }

            if (!root.TryGetProperty("reason", out var reasonElement) || reasonElement.ValueKind != JsonValueKind.String)
            {
                score = 0;
                return Unparseable("'reason' must be a string", out error);
            }

            pass = passElement.GetBoolean();
            reason = reasonElement.GetString()!;
            error = null;
            return true;
        }
    }

    private static bool Unparseable(string detail, out string error)
    {
        error = $"judge reply unparseable: {detail}";
        return false;
    }
}
