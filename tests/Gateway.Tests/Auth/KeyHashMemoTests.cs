using LlmGateway.Auth;

namespace LlmGateway.Tests.Auth;

/// <summary>The secret → hash memo of confirmed keys: exact, bounded, and forgetting a revoked key's secrets.</summary>
public sealed class KeyHashMemoTests
{
    [Fact]
    public void A_secret_is_hashed_until_remembered_then_answered_from_memory_with_the_same_hash()
    {
        var memo = new KeyHashMemo();
        var secret = GatewayKeySecret.Generate();

        var first = memo.HashOf(secret, out var rememberedFirst);
        memo.Remember(secret, first);
        var second = memo.HashOf(secret.ToCharArray(), out var rememberedSecond);

        Assert.False(rememberedFirst);
        Assert.True(rememberedSecond);
        Assert.Equal(GatewayKeySecret.Hash(secret), first);
        Assert.Same(first, second);

        // A near miss (one character off, or a prefix) is hashed, never matched to the remembered key.
        Assert.Equal(GatewayKeySecret.Hash(secret[..^1] + "x"), memo.HashOf(secret[..^1] + "x", out var nearMiss));
        Assert.False(nearMiss);
        Assert.False(memo.HashOf(secret.AsSpan(0, secret.Length - 1), out _) == first);
    }

    [Fact]
    public void A_memo_of_capacity_zero_remembers_nothing_and_still_hashes_exactly()
    {
        var memo = new KeyHashMemo(capacity: 0);
        var secret = GatewayKeySecret.Generate();

        memo.Remember(secret, memo.HashOf(secret, out var first));
        var again = memo.HashOf(secret, out var second);
        memo.Forget(again);
        memo.Forget(secret.AsSpan());

        Assert.False(first);
        Assert.False(second);
        Assert.Equal(GatewayKeySecret.Hash(secret), again);
        Assert.Equal(0, memo.Count);
    }

    [Fact]
    public void A_full_memo_starts_over_and_then_remembers_again()
    {
        var memo = new KeyHashMemo();
        string Secret(int i) => "gwk_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < KeyHashMemo.DefaultCapacity; i++)
        {
            memo.Remember(Secret(i), GatewayKeySecret.Hash(Secret(i)));
        }

        Assert.Equal(KeyHashMemo.DefaultCapacity, memo.Count);
        var late = Secret(KeyHashMemo.DefaultCapacity + 10);
        memo.Remember(late, GatewayKeySecret.Hash(late));

        // Never past its capacity: the old entries went, the newest is remembered.
        Assert.Equal(1, memo.Count);
        memo.HashOf(Secret(0), out var old);
        Assert.False(old);
        Assert.Equal(GatewayKeySecret.Hash(late), memo.HashOf(late, out var remembered));
        Assert.True(remembered);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forgetting_a_secret_or_its_hash_drops_that_secret_and_only_it(bool byHash)
    {
        var memo = new KeyHashMemo();
        var gone = GatewayKeySecret.Generate();
        var kept = GatewayKeySecret.Generate();
        memo.Remember(gone, GatewayKeySecret.Hash(gone));
        memo.Remember(kept, GatewayKeySecret.Hash(kept));

        if (byHash)
        {
            memo.Forget(GatewayKeySecret.Hash(gone));
        }
        else
        {
            memo.Forget(gone.AsSpan());
        }

        memo.HashOf(gone, out var goneRemembered);
        memo.HashOf(kept, out var keptRemembered);
        Assert.False(goneRemembered);
        Assert.True(keptRemembered);
        Assert.Equal(1, memo.Count);
    }
}
