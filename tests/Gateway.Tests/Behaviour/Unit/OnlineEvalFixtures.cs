using System.Text.Json;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Providers;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary>A small catalog and readers that turn an <c>online_eval.assert</c> array written as JSON into a plan.</summary>
internal static class OnlineEvalFixtures
{
    public const string JudgeModel = "judge-mini";

    public static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models =
        {
            ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" },
            [JudgeModel] = new CatalogModelOptions { Provider = "p" },
        },
    });

    public static PromptOnlineJudge Judge => new() { Model = JudgeModel };

    public static IReadOnlyList<JsonElement> Elements(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    public static OnlineEvalPlan? Read(string assertJson, PromptOnlineJudge? judge, List<FieldError> errors) =>
        OnlineEvalPlan.Read(new PromptOnlineEval { Assert = Elements(assertJson), Judge = judge }, Catalog, errors);

    /// <summary>Reads a plan that must be valid.</summary>
    public static OnlineEvalPlan Plan(string assertJson, PromptOnlineJudge? judge = null)
    {
        var errors = new List<FieldError>();
        var plan = Read(assertJson, judge, errors);
        Assert.True(plan is not null && errors.Count == 0, string.Join("; ", errors));
        return plan;
    }
}
