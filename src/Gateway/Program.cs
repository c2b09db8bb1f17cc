using LlmGateway.Hosting;
using LlmGateway.Store;

// The embedded store's own process (see EmbeddedStoreProcess): the same executable, so it ships with the gateway.
if (args is [EmbeddedStoreChild.Switch])
{
    return await EmbeddedStoreChild.RunAsync(Console.In, Console.Out);
}

var app = await GatewayApp.BuildAsync(args);
await app.RunAsync();
return 0;
