using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class CachingEmbeddingClientTests
{
    private static FakeEmbeddingClient Inner() => new(new Dictionary<string, float[]> { ["a"] = [1, 2], ["b"] = [3, 4] });

    [Fact]
    public async Task A_repeated_text_is_not_forwarded()
    {
        var inner = Inner();
        var cache = new CachingEmbeddingClient(inner);

        var first = await cache.EmbedAsync("a", TestContext.Current.CancellationToken);
        var second = await cache.EmbedAsync("a", TestContext.Current.CancellationToken);

        Assert.Equal(["a"], inner.Calls);
        Assert.Equal(first, second);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Another_model_is_another_cache_entry()
    {
        var inner = Inner();
        var cache = new CachingEmbeddingClient(inner);

        await cache.EmbedAsync("a", TestContext.Current.CancellationToken);
        inner.Model = "other-embed";
        await cache.EmbedAsync("a", TestContext.Current.CancellationToken);

        Assert.Equal(["a", "a"], inner.Calls);
        Assert.Equal("other-embed", cache.Model);
    }

    [Fact]
    public async Task A_failure_is_not_cached()
    {
        var inner = Inner();
        var cache = new CachingEmbeddingClient(inner);
        inner.Failure = new HttpRequestException("timeout");

        await Assert.ThrowsAsync<HttpRequestException>(() => cache.EmbedAsync("a", TestContext.Current.CancellationToken));
        inner.Failure = null;
        var vector = await cache.EmbedAsync("a", TestContext.Current.CancellationToken);

        Assert.Equal([1f, 2f], vector);
        Assert.Equal(2, inner.Calls.Count);
    }

    [Fact]
    public async Task A_caller_mutating_its_vector_does_not_corrupt_the_cache()
    {
        var cache = new CachingEmbeddingClient(Inner());

        var first = await cache.EmbedAsync("b", TestContext.Current.CancellationToken);
        first[0] = 99;
        var second = await cache.EmbedAsync("b", TestContext.Current.CancellationToken);
        second[1] = 99;
        var third = await cache.EmbedAsync("b", TestContext.Current.CancellationToken);

        Assert.Equal([3f, 4f], third);
    }
}
