using System.ComponentModel.DataAnnotations;

namespace LlmGateway.Budgets;

/// <summary>How budgets behave, from <c>Gateway:Budgets</c>.</summary>
internal sealed class BudgetOptions
{
    public const string SectionName = "Gateway:Budgets";

    /// <summary>Output tokens assumed when a request sets no <c>max_tokens</c>, for the worst-case reservation.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>When the store is unreachable: true lets requests through (counted), false refuses them.</summary>
    public bool FailOpen { get; set; } = true;
}
