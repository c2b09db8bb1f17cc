using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Budgets;

/// <summary>How budgets behave, from <c>Gateway:Budgets</c>.</summary>
internal sealed class BudgetOptions
{
    public const string SectionName = "Gateway:Budgets";

    /// <summary>The most choices (<c>n</c>, <c>best_of</c>) one request may ask for; more is refused with 400.</summary>
    [Range(1, 128)]
    public int MaxChoices { get; set; } = 8;

    /// <summary>
    /// A key with a spend limit calling a model with no price: true refuses it (400 <c>model_not_priced</c>),
    /// false lets it through with only its token limits enforced.
    /// </summary>
    public bool RefuseUnpricedModels { get; set; } = true;

    /// <summary>
    /// How many calls of the tools the provider runs (web and file search, code interpreter, image generation) a
    /// Responses request without <c>max_tool_calls</c> is reserved for, per declared tool: their fees are reserved
    /// beside its tokens, and settled to the calls the answer shows.
    /// </summary>
    [Range(1, 1000)]
    public int ProviderToolCallsBound { get; set; } = 10;

    /// <summary>
    /// The most input a request reserves for what the provider reads beyond its body (a stored conversation, files by id,
    /// built-in tools' results: <see cref="UnseenInput"/>). Unset, the model's whole context window: a true bound, which
    /// a key whose daily limit is under one window's price can never afford. Set, a smaller reservation such keys can
    /// afford; a request that reads more is still settled to what the provider reports, past the limit.
    /// </summary>
    [Range(1, 100_000_000)]
    public int? UnseenInputTokens { get; set; }

    /// <summary>
    /// When the store is unreachable: true lets requests through (counted in <c>gateway.budget.checks_skipped</c>; what they
    /// spend is added to the key's counters when they settle, or kept until the store is back), false refuses them.
    /// </summary>
    public bool FailOpen { get; set; } = true;

    /// <summary>
    /// How often an overrun the store could not count (it was down when the request settled) is tried again. Until then
    /// it is kept in this process (<see cref="SettlementBacklog"/>), and tried once more when the gateway stops.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SettlementRetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}
