using System.Text;
using LlmGateway.Accounting;
using LlmGateway.Providers;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>What the budget tests against the real store share: their clock's noon, one request and its spend.</summary>
internal static class BudgetTestKit
{
    public static readonly DateTimeOffset Noon = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}""");

    public static CatalogModel Model(GatewayHost gateway) =>
        gateway.GetRequiredService<ModelCatalog>().TryGetModel("gpt-4o-mini", out var model) ? model : throw new InvalidOperationException("no gpt-4o-mini");

    public static PromptTokenEstimate Estimate(GatewayHost gateway) => new(Body, Model(gateway).Encoding);

    /// <summary>A reported answer that cost <paramref name="nanoUsd"/>.</summary>
    public static AccountingRecord Spent(long nanoUsd) =>
        new("gpt-4o-mini", 10, 0, 10, 0, AccountingRecord.Reported, nanoUsd / 1_000_000_000m, "stop");
}
