using System.Net;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>A store of the test's own (an embedded Garnet) reached through a relay the test cuts and restores: an outage on demand.</summary>
internal sealed class RelayedStore : IAsyncDisposable
{
    private readonly EmbeddedGarnetServer _garnet;

    private RelayedStore(EmbeddedGarnetServer garnet)
    {
        _garnet = garnet;
        Relay = new TcpRelay(new IPEndPoint(IPAddress.Loopback, garnet.Port));
    }

    public TcpRelay Relay { get; }

    public static RelayedStore Start() => new(EmbeddedGarnetServer.Start(memory: "64m", index: "8m"));

    /// <summary>The store's configuration through the relay (with the store's per-start password).</summary>
    public string Configuration
    {
        get
        {
            var store = ConfigurationOptions.Parse(_garnet.ConnectionString);
            store.EndPoints.Clear();
            store.EndPoints.Add(IPAddress.Loopback, Relay.Port);
            store.ConnectTimeout = 500;
            return store.ToString(includePassword: true);
        }
    }

    /// <summary>The environment's gateway settings, with the store through the relay (and the store's per-start password).</summary>
    public Dictionary<string, string?> GatewaySettings(TestEnvironment env)
    {
        var settings = env.GatewaySettings();
        settings["Redis:Configuration"] = Configuration;
        // Long enough for set-up calls on a loaded machine; an outage itself is seen by the connection state.
        settings["Redis:OperationTimeoutMs"] = "2000";
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Relay.DisposeAsync();
        _garnet.Dispose();
    }
}
