using System.CommandLine;
using LlmGateway.Cli.Rollouts;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Rollouts;

/// <summary>
/// Runs <c>gatewayctl rollout …</c> in-process with the clock and the wait between looks the test gives, which
/// <see cref="GatewayCtl.RunAsync"/> cannot take: the same global options, runner and invocation, only the
/// <c>rollout</c> group under the root. Command lines run through it are valid; parse errors are tested through
/// <see cref="FakeAdminApi.RunAsync(string[])"/>.
/// </summary>
internal static class RolloutCli
{
    public static async Task<CliRun> RunAsync(
        FakeAdminApi api,
        TimeProvider time,
        Func<TimeSpan, CancellationToken, Task> delay,
        CancellationToken cancellationToken,
        params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost(
            stdout,
            stderr,
            api,
            new Dictionary<string, string?> { ["GATEWAY_URL"] = FakeAdminApi.BaseUrl, ["GATEWAY_ADMIN_TOKEN"] = FakeAdminApi.Token });
        var root = new Command("gatewayctl");
        var globals = new GlobalOptions();
        globals.AddTo(root);
        root.Subcommands.Add(new RolloutCommands(new CommandRunner(globals, host), time, delay).Build());

        var parseResult = root.Parse(args);
        Assert.Empty(parseResult.Errors);
        var exit = await parseResult.InvokeAsync(
            new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
            cancellationToken);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A run that must never wait: its delay fails the test.</summary>
    public static Task<CliRun> RunAsync(FakeAdminApi api, TimeProvider time, params string[] args) =>
        RunAsync(api, time, (_, _) => throw new InvalidOperationException("This run was not expected to wait."), CancellationToken.None, args);
}
