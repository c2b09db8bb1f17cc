return await LlmGateway.Cli.GatewayCtl.RunAsync(args, Console.Out, Console.Error);
