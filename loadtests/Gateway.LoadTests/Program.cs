using LlmGateway.LoadTests.Commands;
using LlmGateway.LoadTests.Hosting;

// The first word picks a harness command; anything else is the original single run against --target.
return args switch
{
    ["compare", .. var rest] => await HarnessCommand.RunAsync(CompareCommand.RunAsync, rest),
    ["smoke", .. var rest] => await HarnessCommand.RunAsync(SmokeCommand.RunAsync, rest),
    ["rollback-under-load", .. var rest] => await HarnessCommand.RunAsync(RollbackCommand.RunAsync, rest),
    ["store-outage", .. var rest] => await HarnessCommand.RunAsync(StoreOutageCommand.RunAsync, rest),
    ["soak", .. var rest] => await HarnessCommand.RunAsync(SoakCommand.RunAsync, rest),
    ["host", .. var rest] => await ChildHost.RunAsync(rest),
    _ => await RunCommand.RunAsync(args),
};
