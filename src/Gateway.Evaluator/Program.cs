using LlmGateway.Eval.Scoring;
using LlmGateway.Hosting;

// First: the runtime reads it at the process's first regular expression.
RegexMatchDefaults.Apply();

var app = EvaluatorApp.Build(args);
await app.RunAsync();
