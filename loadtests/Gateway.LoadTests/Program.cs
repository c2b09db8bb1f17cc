using LlmGateway.LoadTests.Commands;

return await LoadTestsCommandLine.RunAsync(args);
