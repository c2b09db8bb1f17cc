namespace LlmGateway.Store;

/// <summary>
/// Every key the gateway uses, in one place. Keys that are read or written together share a
/// hash tag (<c>{...}</c>) so multi-key commands and Lua stay valid on Redis Cluster.
/// </summary>
internal sealed class StoreKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>A gateway API key record, addressed by the SHA-256 of the secret.</summary>
    public string GatewayKey(string secretHash) => $"{Prefix}:{{key}}:{secretHash}";

    /// <summary>Set of the hashes of all gateway keys, for listing.</summary>
    public string GatewayKeyIndex => $"{Prefix}:{{key}}:index";
}
