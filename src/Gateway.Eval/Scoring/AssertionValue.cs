using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>Reads assertion values the way promptfoo does, and formats text for reasons.</summary>
internal static class AssertionValue
{
    private const int QuoteLimit = 80;

    /// <summary>A string as-is; a number or boolean as its JSON text (promptfoo stringifies scalar values).</summary>
    public static bool TryGetText(JsonElement? value, [NotNullWhen(true)] out string? text)
    {
        text = value?.ValueKind switch
        {
            JsonValueKind.String => value.Value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.Value.GetRawText(),
            _ => null,
        };
        return text is not null;
    }

    /// <summary>The value's text, or else the case's expected output; for scorers that compare with a reference.</summary>
    public static bool TryGetReference(JsonElement? value, ScoringInput input, [NotNullWhen(true)] out string? reference)
    {
        if (value is null or { ValueKind: JsonValueKind.Null })
        {
            reference = input.Expected;
            return reference is not null;
        }

        return TryGetText(value, out reference);
    }

    /// <summary>An array of scalars, or a comma-separated string (promptfoo's shorthand), as a list of non-empty items.</summary>
    public static bool TryGetTextList(JsonElement? value, [NotNullWhen(true)] out List<string>? items)
    {
        items = null;
        if (value is not { } element)
        {
            return false;
        }

        var list = new List<string>();
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (!TryGetText(item, out var text))
                {
                    return false;
                }

                list.Add(text);
            }
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            list.AddRange(element.GetString()!.Split(',', StringSplitOptions.TrimEntries));
        }
        else
        {
            return false;
        }

        // An empty needle is contained in everything, so it would make the assertion vacuous.
        if (list.Count == 0 || list.Exists(string.IsNullOrEmpty))
        {
            return false;
        }

        items = list;
        return true;
    }

    /// <summary>A short, quoted rendering of <paramref name="text"/> for a reason.</summary>
    public static string Quote(string text)
    {
        // A match or an output may hold half an emoji (a regex's "." takes one UTF-16 unit): never quoted into a reason.
        var shown = TextCut.Truncate(Running.LenientJsonText.WithoutLoneSurrogates(text), QuoteLimit);
        return "\"" + shown.ReplaceLineEndings("\\n") + "\"";
    }

    /// <summary>A short rendering of a JSON value for a reason.</summary>
    public static string Describe(JsonElement element)
    {
        var raw = element.GetRawText();
        return TextCut.Truncate(raw, QuoteLimit);
    }

    /// <summary>Formats a number for a reason without the culture's decimal separator.</summary>
    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Formats a number for a reason without the culture's decimal separator.</summary>
    public static string Number(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
