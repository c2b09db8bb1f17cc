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

    /// <summary>The options for a store on this machine's loopback <paramref name="port"/> with <paramref name="password"/>.</summary>
    protected static ConfigurationOptions Loopback(int port, string password)
    {
        var options = new ConfigurationOptions { Password = password };
        options.EndPoints.Add("127.0.0.1", port);
        return options;
    }
}
