using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// One scenario under one load, run against every system: a warm-up per system, then interleaved rounds.
/// <see cref="Load"/>'s warm-up and duration are the per-system warm-up and the length of one measured window.
/// </summary>
/// <param name="Name">Short name, used in file names (<c>chat-closed</c>).</param>
/// <param name="Scenario">What the gateway is sent; systems without a prompt registry get <see cref="SentAs"/>.</param>
/// <param name="ExpectedChunks">Streams: every stream must carry exactly this many content chunks.</param>
internal sealed record ComparePhase(
    string Name,
    ScenarioKind Scenario,
    LoadShape Load,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    int? ExpectedChunks)
{
    public bool IsOpenModel => Load.Rate is not null;

    public string ScenarioName => NameOf(Scenario);

    /// <summary>
    /// For prompt-chat, direct and yarp-bare have no prompt registry and get the body the gateway forwards on the stable
    /// arm, so every upstream sees the same request.
    /// </summary>
    public ScenarioKind SentAs(string system) =>
        Scenario == ScenarioKind.PromptChat && system != SystemNames.Gateway ? ScenarioKind.PromptChatPlain : Scenario;

    public string Describe() => Scenario == ScenarioKind.Stream && ExpectedChunks is { } chunks
        ? $"{ScenarioName} ({chunks} chunks), {Load.Describe()}"
        : $"{ScenarioName}, {Load.Describe()}";

    public static string NameOf(ScenarioKind scenario) => scenario switch
    {
        ScenarioKind.Chat => ScenarioNames.Chat,
        ScenarioKind.Stream => ScenarioNames.Stream,
        ScenarioKind.PromptChat => ScenarioNames.PromptChat,
        ScenarioKind.PromptChatPlain => ScenarioNames.PromptChatPlain,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };
}
