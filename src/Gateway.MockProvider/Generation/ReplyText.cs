namespace LlmGateway.MockProvider.Generation;

/// <summary>The deterministic reply texts documented in README.md; tests assert on them verbatim.</summary>
internal static class ReplyText
{
    private const string Missing = "-";

    public static string ForChat(string model, string? system, string? user) =>
        $"mock reply to model={model} system={system ?? Missing} user={user ?? Missing}";

    public static string ForCompletion(string model, string prompt) =>
        $"mock completion for model={model} prompt={prompt}";
}
