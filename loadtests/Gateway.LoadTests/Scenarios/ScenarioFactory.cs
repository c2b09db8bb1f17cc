using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Scenarios;

internal static class ScenarioFactory
{
    public static ILoadScenario Create(LoadTestOptions options) => options.Scenario switch
    {
        ScenarioKind.Chat => new ChatScenario(ChatRequestFactory.ForModel(options.ChatCompletionsUri, options.Model, stream: false), "chat"),
        ScenarioKind.Stream => new StreamScenario(ChatRequestFactory.ForModel(options.ChatCompletionsUri, options.Model, stream: true), options.ExpectedChunks),
        ScenarioKind.PromptChat => new PromptChatScenario(
            new ChatRequestFactory(options.ChatCompletionsUri, LoadTestBundle.PromptRequest(options.PromptName, stream: false), sessionHeader: true)),
        ScenarioKind.PromptChatPlain => new ChatScenario(
            new ChatRequestFactory(options.ChatCompletionsUri, LoadTestBundle.RenderedRequest(stream: false), sessionHeader: true), "prompt-chat-plain"),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Scenario, "Unknown scenario."),
    };
}
