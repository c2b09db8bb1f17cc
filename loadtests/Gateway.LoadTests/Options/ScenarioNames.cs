namespace LlmGateway.LoadTests.Options;

/// <summary>The <c>--scenario</c> spellings of <see cref="ScenarioKind"/>, in one place for the parser, reports and harness.</summary>
internal static class ScenarioNames
{
    public const string Chat = "chat";
    public const string Stream = "stream";
    public const string PromptChat = "prompt-chat";
    public const string PromptChatPlain = "prompt-chat-plain";

    public static IReadOnlyList<string> All { get; } = [Chat, Stream, PromptChat, PromptChatPlain];

    public static ScenarioKind Parse(string value) => value switch
    {
        Chat => ScenarioKind.Chat,
        Stream => ScenarioKind.Stream,
        PromptChat => ScenarioKind.PromptChat,
        PromptChatPlain => ScenarioKind.PromptChatPlain,
        _ => throw new UsageException($"--scenario must be {string.Join(", ", All)}, got '{value}'."),
    };
}
