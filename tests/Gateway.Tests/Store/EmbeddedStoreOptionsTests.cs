using LlmGateway.Store;

namespace LlmGateway.Tests.Store;

/// <summary>The embedded store's sizes: what start-up refuses, and the defaults it ships with.</summary>
public sealed class EmbeddedStoreOptionsTests
{
    [Fact]
    public void The_shipped_defaults_are_valid_and_small()
    {
        var options = new StoreOptions();

        Assert.True(Validate(options).Succeeded);
        Assert.Equal("32m", options.Embedded.Memory);
        Assert.Equal("1m", options.Embedded.PageSize);
        Assert.Equal("1m", options.Embedded.Index);
    }

    [Theory]
    [InlineData("512k", 512L * 1024)]
    [InlineData("16m", 16L << 20)]
    [InlineData("2G", 2L << 30)]
    [InlineData("4096", 4096L)]
    public void Sizes_use_garnet_syntax(string value, long bytes) => Assert.Equal(bytes, EmbeddedStoreOptions.ParseSize(value));

    [Theory]
    [InlineData("")]
    [InlineData("16 m")]
    [InlineData("16mb")]
    [InlineData("-1m")]
    public void A_malformed_size_does_not_parse(string value) => Assert.Null(EmbeddedStoreOptions.ParseSize(value));

    [Fact]
    public void A_malformed_size_fails_validation_naming_the_setting()
    {
        var options = new StoreOptions { Embedded = { Memory = "16mb" } };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("Memory", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_memory_must_hold_four_pages()
    {
        // Garnet rounds the page down to a power of 2 (3m → 2m) and needs 4 of them.
        var options = new StoreOptions { Embedded = { Memory = "7m", PageSize = "3m" } };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("Redis:Embedded:Memory must be at least 4 pages", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(new StoreOptions { Embedded = { Memory = "8m", PageSize = "3m" } }).Succeeded);
    }

    [Fact]
    public void A_page_below_512_bytes_and_an_index_below_one_bucket_are_refused()
    {
        var options = new StoreOptions { Embedded = { PageSize = "256", Index = "32" } };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("Redis:Embedded:PageSize must be at least 512 bytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Redis:Embedded:Index must be at least 64 bytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Embedded_sizes_are_not_checked_against_each_other_when_redis_is_configured()
    {
        var options = new StoreOptions { Configuration = "redis.internal:6379", Embedded = { Memory = "1m", PageSize = "1m" } };

        Assert.True(new EmbeddedStoreSizesValidator().Validate(null, options).Succeeded);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(StoreOptions options)
    {
        var attributes = new StoreOptionsValidator().Validate(null, options);
        var sizes = new EmbeddedStoreSizesValidator().Validate(null, options);
        var failures = new[] { attributes, sizes }.Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
    }
}
