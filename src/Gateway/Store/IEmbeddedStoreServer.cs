namespace LlmGateway.Store;

/// <summary>The embedded Garnet the gateway runs when no Redis is configured, in its own process or in the gateway's.</summary>
internal interface IEmbeddedStoreServer : IDisposable
{
    int Port { get; }

    /// <summary>How to connect, password included. Never log it.</summary>
    string ConnectionString { get; }
}
