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
    public void It_holds_at_most_its_capacity()
    {
        var memo = new KeyHashMemo();
        for (var i = 0; i < KeyHashMemo.Capacity + 50; i++)
        {
            var secret = "gwk_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            memo.Remember(secret, GatewayKeySecret.Hash(secret));
        }

        Assert.Equal(KeyHashMemo.Capacity, memo.Count);
        var late = "gwk_" + (KeyHashMemo.Capacity + 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(GatewayKeySecret.Hash(late), memo.HashOf(late, out var remembered));
        Assert.False(remembered);
    }

    [Fact]
    public void Forgetting_a_hash_drops_every_secret_that_maps_to_it_and_only_those()
    {
        var memo = new KeyHashMemo();
        var revoked = GatewayKeySecret.Generate();
        var kept = GatewayKeySecret.Generate();
        memo.Remember(revoked, GatewayKeySecret.Hash(revoked));
        memo.Remember(kept, GatewayKeySecret.Hash(kept));

        memo.Forget(GatewayKeySecret.Hash(revoked));

        memo.HashOf(revoked, out var revokedRemembered);
        memo.HashOf(kept, out var keptRemembered);
        Assert.False(revokedRemembered);
        Assert.True(keptRemembered);
        Assert.Equal(1, memo.Count);
    }
}
