using LlmGateway.Hosting;

var app = EvaluatorApp.Build(args);
await app.RunAsync();
