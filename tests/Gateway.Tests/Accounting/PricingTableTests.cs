using LlmGateway.Accounting;

namespace LlmGateway.Tests.Accounting;

public sealed class PricingTableTests
{
    private static readonly DateTimeOffset Change = new(2024, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly PricingTable Table = new(new PricingOptions
    {
        Models =
        {
            ["gpt-4o"] =
            [
                new ModelPrice { EffectiveFrom = new DateTimeOffset(2024, 5, 13, 0, 0, 0, TimeSpan.Zero), InputPerMillion = 5m, OutputPerMillion = 15m },
                new ModelPrice { EffectiveFrom = Change, InputPerMillion = 2.5m, CachedInputPerMillion = 1.25m, OutputPerMillion = 10m },
            ],
        },
    });

    [Fact]
    public void A_request_before_a_price_change_keeps_the_old_price()
    {
        var usage = new TokenUsage(1_000_000, 0, 1_000_000, 0);

        Assert.Equal(20m, Table.Cost("gpt-4o", Change.AddTicks(-1), usage));
        Assert.Equal(12.5m, Table.Cost("gpt-4o", Change, usage));
    }

    [Fact]
    public void The_price_in_force_is_the_last_one_dated_at_or_before_the_instant_in_a_long_history()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var table = new PricingTable(new PricingOptions());
        table.ApplyOverrides([KeyValuePair.Create("many", Enumerable.Range(1, 1000).Select(day => new ModelPrice { EffectiveFrom = start.AddDays(day), InputPerMillion = day, OutputPerMillion = 1 }).ToArray())]);

        Assert.Null(table.PriceAt("many", start));
        Assert.Equal(1m, table.PriceAt("many", start.AddDays(1))!.InputPerMillion);
        Assert.Equal(1m, table.PriceAt("many", start.AddDays(2).AddTicks(-1))!.InputPerMillion);
        Assert.Equal(500m, table.PriceAt("many", start.AddDays(500).AddHours(12))!.InputPerMillion);
        Assert.Equal(1000m, table.PriceAt("many", start.AddYears(10))!.InputPerMillion);
    }

    [Fact]
    public void Cached_input_is_billed_at_its_own_price_and_cost_is_exact()
    {
        var usage = new TokenUsage(InputTokens: 1234, CachedInputTokens: 1000, OutputTokens: 77, ReasoningTokens: 10);

        // 234 × 2.5 + 1000 × 1.25 + 77 × 10, per million: exact in decimal.
        Assert.Equal(0.002605m, Table.Cost("GPT-4o", Change.AddDays(1), usage));
    }

    [Fact]
    public void An_unknown_model_or_a_date_before_any_price_has_an_unknown_cost_not_zero()
    {
        var usage = new TokenUsage(10, 0, 10, 0);

        Assert.Null(Table.Cost("llama3", Change, usage));
        Assert.Null(Table.Cost("gpt-4o", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), usage));
    }

    [Fact]
    public void The_validator_refuses_negative_prices_and_duplicate_instants()
    {
        var options = new PricingOptions
        {
            Models =
            {
                ["m"] =
                [
                    new ModelPrice { EffectiveFrom = Change, InputPerMillion = -1m },
                    new ModelPrice { EffectiveFrom = Change, InputPerMillion = 1m },
                ],
            },
        };

        var result = new PricingOptionsValidator().Validate(null, options);

        Assert.Contains("cannot be negative", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("same instant", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("100.5")]
    public void A_tool_call_price_out_of_range_is_refused(string price)
    {
        var options = new PricingOptions { ToolCalls = { ["web_search"] = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture) } };

        var result = new PricingOptionsValidator().Validate(null, options);

        Assert.Contains("Gateway:Pricing:ToolCalls:web_search must be from 0 to 100", result.FailureMessage, StringComparison.Ordinal);
    }

    private static readonly PricingTable AudioTable = new(new PricingOptions
    {
        Models =
        {
            // gpt-4o-audio-preview's published prices: text 2.50 / 10, audio 40 / 80 per million.
            ["gpt-4o-audio-preview"] =
            [
                new ModelPrice { EffectiveFrom = Change, InputPerMillion = 2.5m, OutputPerMillion = 10m, AudioInputPerMillion = 40m, AudioOutputPerMillion = 80m },
            ],
            ["text-only"] = [new ModelPrice { EffectiveFrom = Change, InputPerMillion = 2.5m, OutputPerMillion = 10m }],
            ["audio-out-only"] = [new ModelPrice { EffectiveFrom = Change, InputPerMillion = 2.5m, OutputPerMillion = 10m, AudioOutputPerMillion = 80m }],
        },
    });

    [Fact]
    public void Audio_tokens_are_billed_at_the_audio_prices_as_parts_of_the_input_and_output()
    {
        // 2,000 input of which 1,000 audio; 1,500 output of which 1,000 audio.
        var usage = new TokenUsage(2000, 0, 1500, 0, AudioInputTokens: 1000, AudioOutputTokens: 1000);

        // 1,000 × 2.5 + 1,000 × 40 + 500 × 10 + 1,000 × 80, per million (the text price alone: 0.02).
        Assert.Equal(0.1275m, AudioTable.Cost("gpt-4o-audio-preview", Change, usage));
        Assert.Equal(0.02m, AudioTable.Cost("gpt-4o-audio-preview", Change, usage with { AudioInputTokens = 0, AudioOutputTokens = 0 }));
    }

    [Fact]
    public void Cached_tokens_are_never_taken_from_the_audio_part()
    {
        // Which cached tokens were audio is not reported: audio at its price first, the cached discount on the rest only.
        var usage = new TokenUsage(1000, 800, 0, 0, AudioInputTokens: 600);

        // 600 × 40 + 400 × 2.5 (cached at the input price: none set), per million.
        Assert.Equal(0.025m, AudioTable.Cost("gpt-4o-audio-preview", Change, usage));
    }

    [Theory]
    [InlineData("text-only", 1000, 0)]
    [InlineData("text-only", 0, 1000)]
    [InlineData("audio-out-only", 1000, 0)]
    public void Audio_tokens_without_an_audio_price_have_an_unknown_cost_never_the_text_price(string model, int audioInput, int audioOutput)
    {
        var usage = new TokenUsage(2000, 0, 1500, 0, audioInput, audioOutput);

        Assert.Null(AudioTable.Cost(model, Change, usage));
        Assert.Equal(0.02m, AudioTable.Cost(model, Change, new TokenUsage(2000, 0, 1500, 0)));
    }

    [Fact]
    public void The_validator_refuses_negative_audio_prices()
    {
        var options = new PricingOptions
        {
            Models = { ["m"] = [new ModelPrice { EffectiveFrom = Change, InputPerMillion = 1m, OutputPerMillion = 1m, AudioOutputPerMillion = -80m }] },
        };

        var result = new PricingOptionsValidator().Validate(null, options);

        Assert.Contains("Gateway:Pricing:Models:m: prices cannot be negative", result.FailureMessage, StringComparison.Ordinal);
    }
}
