using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>Turns a harness command's flags into <see cref="CommandArgs"/> and its usage mistakes into exit code 2.</summary>
internal static class HarnessCommand
{
    public static async Task<int> RunAsync(Func<CommandArgs, Task<int>> command, string[] args)
    {
        if (args.Contains("--help"))
        {
            await Console.Out.WriteAsync(HarnessHelp.Text);
            return 0;
        }

        try
        {
            return await command(CommandArgs.Parse(args));
        }
        catch (UsageException exception)
        {
            await Console.Error.WriteLineAsync($"error: {exception.Message}");
            await Console.Error.WriteLineAsync("Run with --help to see every flag.");
            return RunCommand.BadFlags;
        }
    }
}
