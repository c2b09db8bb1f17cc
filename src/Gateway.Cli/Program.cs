// First: the runtime reads it at the process's first regular expression.
LlmGateway.Eval.Scoring.RegexMatchDefaults.Apply();
return await LlmGateway.Cli.GatewayCtl.RunAsync(args, Console.Out, Console.Error);
