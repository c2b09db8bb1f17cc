using System.CommandLine;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// Wraps a command's action so that a usage mistake only found while running (e.g. a duration too short for the
/// flips asked for) ends with the same message shape and exit code as a parse error, and a child process found gone
/// outside a run's own handling (one that dies while starting, or under a command that does not report it itself) ends
/// with its last lines and <see cref="LoadTestsCommandLine.ChildExited"/> instead of a stack trace.
/// </summary>
internal static class HarnessAction
{
    public static void Set(Command command, Func<ParseResult, Task<int>> action) =>
        command.SetAction(async (parseResult, _) =>
        {
            try
            {
                return await action(parseResult);
            }
            catch (UsageException exception)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                await Console.Error.WriteLineAsync($"Run '{command.Name} --help' to see every flag.");
                return LoadTestsCommandLine.BadFlags;
            }
            catch (Harness.ChildExitedException exception)
            {
                await Console.Error.WriteLineAsync($"error: {exception.Message}");
                if (exception.LogTail.Count > 0)
                {
                    await Console.Error.WriteLineAsync($"Its last {exception.LogTail.Count} lines of output:");
                    foreach (var line in exception.LogTail)
                    {
                        await Console.Error.WriteLineAsync($"  {line}");
                    }
                }

                return LoadTestsCommandLine.ChildExited;
            }
        });
}
