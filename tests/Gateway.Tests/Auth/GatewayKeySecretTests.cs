using LlmGateway.Auth;

namespace LlmGateway.Tests.Auth;

public sealed class GatewayKeySecretTests
{
    [Fact]
    public void Generated_keys_are_distinct_and_prefixed()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => GatewayKeySecret.Generate()).ToHashSet();

        Assert.Equal(100, keys.Count);
        Assert.All(keys, k => Assert.StartsWith(GatewayKeySecret.Prefix, k, StringComparison.Ordinal));
        Assert.All(keys, k => Assert.True(k.Length >= 40));
    }

    [Fact]
    public void Hash_is_the_sha256_hex_of_the_utf8_secret()
    {
        // sha256("abc"), a published test vector.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", GatewayKeySecret.Hash("abc"));
    }

    [Fact]
    public void The_id_reveals_only_a_prefix_of_the_hash()
    {
        var hash = GatewayKeySecret.Hash("sk-gateway-demo");

        var id = GatewayKeySecret.IdFromHash(hash);

        Assert.Equal("key_" + hash[..16], id);
        Assert.DoesNotContain("sk-gateway-demo", id, StringComparison.Ordinal);
    }
}
