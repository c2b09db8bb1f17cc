using LlmGateway.Eval.Scoring;
using LlmGateway.Hosting;
using LlmGateway.Store;

// First: the runtime reads it at the process's first regular expression.
RegexMatchDefaults.Apply();

// The embedded store's own process (see EmbeddedStoreProcess): the same executable, so it ships with the gateway.
if (args is [EmbeddedStoreChild.Switch])
{
    return await EmbeddedStoreChild.RunAsync(Console.In, Console.Out);
}

var app = await GatewayApp.BuildAsync(args);
var store = app.Services.GetRequiredService<GatewayStore>();
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (store.EmbeddedProcessExited)
{
    // The store's process died while the host was still starting: its stop cancelled the start.
}

// Stopped because its embedded store's process died: a failure, for the supervisor that restarts it.
return store.EmbeddedProcessExited ? 1 : 0;
