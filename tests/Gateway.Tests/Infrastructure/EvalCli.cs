using LlmGateway.Cli;

namespace LlmGateway.Tests.Infrastructure;

/// <summary>Runs <c>gatewayctl</c> in process against a test gateway, with the admin token and a gateway key in its environment.</summary>
public static class EvalCli
{
    public static async Task<CliRun> RunAsync(Uri gatewayUrl, string gatewayKey, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string?>
        {
            ["GATEWAY_URL"] = gatewayUrl.ToString(),
            // Viewer to resolve stable@env and read thresholds, author to store the run.
            ["GATEWAY_ADMIN_TOKEN"] = TestEnvironment.AdminToken,
            ["GATEWAY_API_KEY"] = gatewayKey,
        };
        var exit = await GatewayCtl.RunAsync(args, stdout, stderr, handler: null, environment);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}
