using System.CommandLine;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli;

/// <summary>
/// Binds handlers to commands and turns the three kinds of failure into an error line and an exit
/// code, so each handler only describes its success path.
/// </summary>
internal sealed class CommandRunner(GlobalOptions globals, CliHost host)
{
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
    }
}
