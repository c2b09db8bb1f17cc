using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// The whole command line, with System.CommandLine: the root command is the plain run against <c>--target</c>, and the
/// harness commands (<c>compare</c>, <c>smoke</c>, <c>rollback-under-load</c>, <c>store-outage</c>, <c>soak</c>, <c>shadow</c>, …) are
/// subcommands that start their own systems; <c>host</c> (hidden) is how they start them. Exit codes: 0 done, 1 the
/// command's own failure (JSON not written, smoke check failed), 2 bad flags, 3 a process the command started ended
/// during the run (<see cref="ChildExited"/>).
/// </summary>
internal static class LoadTestsCommandLine
{
    public const int BadFlags = 2;

    /// <summary>
    /// A process a harness command started (the gateway, its store, bare YARP, the mock, a separate store or evaluator)
    /// ended during the run: the results so far are written, with "not met" and the reason for every goal it affected.
    /// </summary>
    public const int ChildExited = 3;

    /// <summary>The exit code of a harness command that ran to its end: <see cref="ChildExited"/> when it lost a process.</summary>
    public static async Task<int> ExitCodeAsync(Harness.ChildLoss? loss)
    {
        if (loss is null)
        {
            return 0;
        }

        await Console.Error.WriteLineAsync($"error: {loss.Reason} (exit code {ChildExited}).");
        return ChildExited;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Create();

        // No @response-file expansion: a value starting with '@' means what it says.
        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var parsed = root.Parse(args, configuration);
        try
        {
            var fromConfig = ConfigFile.ExtraTokens(parsed);
            if (fromConfig.Count > 0)
            {
                parsed = root.Parse([.. args, .. fromConfig], configuration);
            }
        }
        catch (UsageException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            return BadFlags;
        }

        if (parsed.Action is ParseErrorAction || (parsed.Errors.Count > 0 && parsed.Action is null))
        {
            foreach (var error in parsed.Errors)
            {
                // Some messages list the choices on tab-indented lines: one error, one line.
                var message = string.Join(' ', error.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                await Console.Error.WriteLineAsync($"error: {message}");
            }

            await Console.Error.WriteLineAsync("Run with --help to see every flag.");
            return BadFlags;
        }

        // Ctrl+C belongs to the commands (InterruptSignal: stop, still report; twice: quit), not to the parser's handler.
        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    public static RootCommand Create()
    {
        var run = new RunOptions();
        var root = new RootCommand(
            "Gateway.LoadTests: a small load generator for an OpenAI-compatible server on this machine (loopback only). Without a "
            + "command it runs one load test against --target; the commands start their own store, mock provider and proxies on "
            + "loopback, in child processes of this executable, and need nothing running. The run stops at whichever comes first: "
            + "warmup + duration, --max-requests, or Ctrl+C (which still reports). Exit codes: 0 the run completed (even with failed "
            + "requests), 1 the JSON file could not be written or a smoke check failed, 2 bad flags, 3 a process a command started "
            + "(gateway, its store, bare YARP, the mock) ended during the run: the run stops there, writes its results with the "
            + "affected goals not met and why, and stops the other processes.");
        run.AddTo(root);
        root.SetAction((parseResult, _) => RunCommand.RunAsync(run.Read(parseResult)));
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(SmokeCommand.Create());
        root.Subcommands.Add(RollbackCommand.Create());
        root.Subcommands.Add(StoreOutageCommand.Create());
        root.Subcommands.Add(SoakCommand.Create());
        root.Subcommands.Add(ShadowCommand.Create());
        root.Subcommands.Add(Evaluator.EvaluatorCommand.Create());
        root.Subcommands.Add(BehaviourChart.BehaviourChartCommand.Create());
        root.Subcommands.Add(HostCommand.Create());
        return root;
    }
}
