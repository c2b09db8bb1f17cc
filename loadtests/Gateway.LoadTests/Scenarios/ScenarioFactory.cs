using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Scenarios;

internal static class ScenarioFactory
{
    public static ILoadScenario Create(LoadTestOptions options) => options.Scenario switch
    {
        ScenarioKind.Chat => new ChatScenario(new ChatRequestFactory(options.ChatCompletionsUri, options.Model, stream: false)),
        ScenarioKind.Stream => new StreamScenario(new ChatRequestFactory(options.ChatCompletionsUri, options.Model, stream: true)),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Scenario, "Unknown scenario."),
    };
}
