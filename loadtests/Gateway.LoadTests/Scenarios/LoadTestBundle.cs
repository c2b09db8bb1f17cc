using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// The prompt the harness pushes for <c>prompt-chat</c>, and the plain body the gateway forwards for it (its stable
/// version rendered), which systems without a prompt registry get instead. Kept side by side so they cannot drift.
/// </summary>
internal static class LoadTestBundle
{
    public const string Name = "lt-support";
    public const string Company = "Acme";

    private const string SystemV1 = "You are {{ company }}'s support assistant. Answer in {{ language }}.";
    private const string SystemV2 = "You are {{ company }}'s support assistant. Answer in {{ language }}, in two sentences at most.";
    private const string RenderedSystemV1 = "You are Acme's support assistant. Answer in English.";
    private const double Temperature = 0.2;
    private const int MaxTokens = 64;

    /// <summary>The admin API body for version 1 or 2 of a bundle named <paramref name="name"/>.</summary>
    public static string Bundle(string name, int version) => new JsonObject
    {
        ["name"] = name,
        ["label"] = $"load-test-{version}",
        ["message"] = "pushed by Gateway.LoadTests",
        ["model"] = "gpt-4o-mini",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = version == 1 ? SystemV1 : SystemV2 }),
        ["variables"] = new JsonArray(
            new JsonObject { ["name"] = "company", ["required"] = true },
            new JsonObject { ["name"] = "language", ["required"] = false, ["default"] = "English" }),
        ["params"] = new JsonObject { ["temperature"] = Temperature, ["max_tokens"] = MaxTokens },
    }.ToJsonString();

    /// <summary>What an app sends: the prompt by name, its variables and the conversation.</summary>
    public static byte[] PromptRequest(string name, bool stream) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["model"] = $"prompt:{name}",
        ["prompt_variables"] = new JsonObject { ["company"] = Company },
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = ChatRequestFactory.Prompt }),
        ["stream"] = stream,
    });

    /// <summary>What the gateway forwards for <see cref="PromptRequest"/> on the stable arm (v1, rendered).</summary>
    public static byte[] RenderedRequest(bool stream) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["model"] = "gpt-4o-mini",
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = RenderedSystemV1 },
            new JsonObject { ["role"] = "user", ["content"] = ChatRequestFactory.Prompt }),
        ["temperature"] = Temperature,
        ["max_tokens"] = MaxTokens,
        ["stream"] = stream,
    });
}
