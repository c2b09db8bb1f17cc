using System.Text;
using System.Text.Json.Nodes;

namespace LlmGateway.Behaviour;

/// <summary>What the application sent, reduced to drift signals: message count and the script of its letters.</summary>
internal static class InputFeatures
{
    // Enough letters to tell a script apart; a long document need not be read to the end.
    private const int MaxLettersRead = 4096;

    public static int MessageCount(JsonNode? messages) => messages is JsonArray array ? array.Count : 0;

    /// <summary>True when more than half of the input's letters are outside the Latin script; null when it has none.</summary>
    public static bool? MostlyNonLatin(JsonNode? messages, JsonNode? variables)
    {
        var counts = new LetterCounts();
        Walk(messages, ref counts);
        Walk(variables, ref counts);
        return counts.Total == 0 ? null : counts.NonLatin * 2 > counts.Total;
    }

    private static void Walk(JsonNode? node, ref LetterCounts counts)
    {
        if (node is null || counts.Total >= MaxLettersRead)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    // Roles and part types are English words whatever the user wrote.
                    if (name is not ("role" or "type" or "name"))
                    {
                        Walk(child, ref counts);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Walk(child, ref counts);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                Count(text, ref counts);
                break;
        }
    }

    private static void Count(string text, ref LetterCounts counts)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (counts.Total >= MaxLettersRead)
            {
                return;
            }

            if (!Rune.IsLetter(rune))
            {
                continue;
            }

            counts.Total++;
            if (!IsLatin(rune))
            {
                counts.NonLatin++;
            }
        }
    }

    // Basic Latin, Latin-1, Latin Extended A/B, IPA and Latin Extended Additional.
    private static bool IsLatin(Rune rune) => rune.Value is < 0x02B0 or (>= 0x1E00 and < 0x1F00);

    private struct LetterCounts
    {
        public int Total;
        public int NonLatin;
    }
}
