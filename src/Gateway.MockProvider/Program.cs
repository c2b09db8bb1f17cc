using LlmGateway.MockProvider;

await MockProviderApp.Build(args).RunAsync();
