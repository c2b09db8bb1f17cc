using System.Text;
using LlmGateway.Accounting;
using LlmGateway.Providers;
using LlmGateway.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Accounting;

/// <summary>The tap and the accountant together, on bytes as a provider sends them.</summary>
public sealed class UsageAccountantTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models = { ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" } },
    });

    private static readonly UsageAccountant Accountant = new(new TokenizerRegistry(), new PricingTable(new PricingOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<UsageAccountant>.Instance);

    [Fact]
    public async Task A_stream_cut_before_its_usage_is_billed_for_the_text_that_was_generated()
    {
        var (tap, client) = Tap("text/event-stream", strip: true);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"Hello there, \"}}]}\n\n"), TestContext.Current.CancellationToken);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"general Kenobi\"}}]}\n\ndata: {\"choi"), TestContext.Current.CancellationToken);
        await tap.FlushPendingAsync(TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("""{"messages":[{"role":"user","content":"Say hello"}]}"""), tap, DateTimeOffset.UtcNow);

        Assert.Equal(AccountingRecord.Estimated, record.Source);
        Assert.Equal(O200k.CountTokens("Hello there, general Kenobi"), record.OutputTokens);
        Assert.Equal(O200k.CountTokens("Say hello\n"), record.InputTokens);
        Assert.Null(record.CostUsd);
        Assert.EndsWith("data: {\"choi", Encoding.UTF8.GetString(client.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_usage_only_chunk_is_removed_when_split_across_writes_and_still_counted()
    {
        var (tap, client) = Tap("text/event-stream", strip: true);
        const string transcript = "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(transcript);
        for (var i = 0; i < bytes.Length; i += 7)
        {
            await tap.WriteAsync(bytes.AsMemory(i, Math.Min(7, bytes.Length - i)), TestContext.Current.CancellationToken);
        }

        await tap.FlushPendingAsync(TestContext.Current.CancellationToken);
        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        var seen = Encoding.UTF8.GetString(client.ToArray());
        Assert.DoesNotContain("\"usage\"", seen, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"ok\"", seen, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", seen, StringComparison.Ordinal);
        Assert.Equal((3, 1, AccountingRecord.Reported), (record.InputTokens, record.OutputTokens, record.Source));
    }

    [Fact]
    public async Task A_json_response_passes_through_unchanged_and_its_usage_is_read()
    {
        var (tap, client) = Tap("application/json; charset=utf-8", strip: false);
        var body = Encoding.UTF8.GetBytes("""{"id":"x","choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}""");
        await tap.WriteAsync(body.AsMemory(0, 20), TestContext.Current.CancellationToken);
        await tap.WriteAsync(body.AsMemory(20), TestContext.Current.CancellationToken);

        var record = Accountant.Account(Model(), Prompt("{}"), tap, DateTimeOffset.UtcNow);

        Assert.Equal(body, client.ToArray());
        Assert.Equal((5, 4, 2, "length"), (record.InputTokens, record.CachedInputTokens, record.OutputTokens, record.FinishReason));
    }

    [Fact]
    public async Task An_estimate_reuses_the_prompt_count_the_budget_already_made()
    {
        var (tap, _) = Tap("text/event-stream", strip: false);
        await tap.WriteAsync(Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"cut\"}}]}\n\n"), TestContext.Current.CancellationToken);
        var prompt = Prompt("""{"messages":[{"role":"user","content":"Reserve me"}]}""");
        var reserved = prompt.Count(new TokenizerRegistry());

        var record = Accountant.Account(Model(), prompt, tap, DateTimeOffset.UtcNow);

        Assert.Equal((AccountingRecord.Estimated, reserved), (record.Source, record.InputTokens));
        Assert.Equal(1, prompt.Tokenizations);
    }

    private static PromptTokenEstimate Prompt(string body) => new(Encoding.UTF8.GetBytes(body), TokenizerRegistry.O200k);

    private static CatalogModel Model()
    {
        Assert.True(Catalog.TryGetModel("gpt-4o-mini", out var model));
        return model;
    }

    private static (ResponseTap Tap, MemoryStream Client) Tap(string contentType, bool strip)
    {
        var client = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        var inner = new StreamResponseBodyFeature(client);
        return (new ResponseTap(inner, context.Response, strip), client);
    }
}
