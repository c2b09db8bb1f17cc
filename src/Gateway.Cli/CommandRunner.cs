using System.CommandLine;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli;

/// <summary>
/// Binds handlers to commands and turns the three kinds of failure, and an interruption, into an error line and
/// an exit code, so each handler only describes its success path.
/// </summary>
internal sealed class CommandRunner(GlobalOptions globals, CliHost host)
{
    public const string InterruptedCode = "interrupted";

    public void Bind(Command command, Func<CommandContext, CancellationToken, Task<int>> handler) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, handler, cancellationToken));

    private async Task<int> RunAsync(ParseResult parseResult, Func<CommandContext, CancellationToken, Task<int>> handler, CancellationToken cancellationToken)
    {
        using var context = new CommandContext(parseResult, globals, host);
        try
        {
            return await handler(context, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            context.Errors.Report(ex.Message, ex.Code);
            return ExitCodes.Usage;
        }
        catch (GatewayRequestFailedException ex)
        {
            context.Errors.Report(ex);
            return ex.ExitCode;
        }
        catch (GatewayUnavailableException ex)
        {
            context.Errors.Report(ex.Message, ex.Code);
            return ExitCodes.Unavailable;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or SIGTERM: without this the cancellation escaped as an unhandled exception (exit 134, a stack trace).
            // A cancellation nobody asked for is not caught: it is a bug, or a timeout the handler should have mapped.
            context.Errors.Report(
                context.ChangeSent
                    ? "Interrupted after a change was sent to the gateway: it may or may not have been applied; check before running the command again."
                    : "Interrupted before the command finished; nothing was changed.",
                InterruptedCode);
            return ExitCodes.Interrupted;
        }
    }
}
