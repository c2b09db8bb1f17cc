using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>
/// Announces changes on one pub/sub channel so every gateway instance applies them at once
/// instead of waiting for its periodic revalidation. Messages: <c>release|name|env</c>, <c>prompt|name</c>, <c>key|hash</c>.
/// </summary>
internal sealed class ChangeNotifier(GatewayStore store)
{
    public const string ReleaseKind = "release";
    public const string KeyKind = "key";
    public const string PromptKind = "prompt";

    public RedisChannel Channel => RedisChannel.Literal(store.Keys.ChangesChannel);

    public Task PublishReleaseChangedAsync(string prompt, string environment) => PublishAsync($"{ReleaseKind}|{prompt}|{environment}");

    public Task PublishKeyChangedAsync(string secretHash) => PublishAsync($"{KeyKind}|{secretHash}");

    /// <summary>A new prompt or version: instances refresh so they know the name at once.</summary>
    public Task PublishPromptChangedAsync(string prompt) => PublishAsync($"{PromptKind}|{prompt}");

    private async Task PublishAsync(string message)
    {
        // Best effort: an instance that misses it converges through revalidation anyway.
        try
        {
            await store.Connection.GetSubscriber().PublishAsync(Channel, message);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The change itself is stored; failing the caller now would invite a double-apply retry.
        }
    }
}
