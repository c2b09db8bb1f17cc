using LlmGateway.Hosting;

var app = await GatewayApp.BuildAsync(args);
await app.RunAsync();
