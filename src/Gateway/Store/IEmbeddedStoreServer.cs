using StackExchange.Redis;

namespace LlmGateway.Store;

/// <summary>The embedded Garnet the gateway runs when no Redis is configured, in its own process or in the gateway's.</summary>
internal interface IEmbeddedStoreServer : IDisposable
{
    int Port { get; }

    /// <summary>How to connect, password included, as a string (tests and tools; a generated password only). Never log it.</summary>
    string ConnectionString { get; }

    /// <summary>
    /// How the gateway connects: the password set as a value, never parsed from a string, so a configured one may hold
    /// any character (a ',' split it into an endpoint, and every store call failed authentication). Never log it.
    /// </summary>
    ConfigurationOptions ConnectionOptions();
}
