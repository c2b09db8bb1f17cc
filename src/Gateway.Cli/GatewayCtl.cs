using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Diagnostics.CodeAnalysis;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli;

/// <summary>
/// gatewayctl's entry point, callable in-process: end-to-end tests run the real command line against a
/// real gateway with their own output writers, HTTP handler and environment.
/// </summary>
[SuppressMessage("Performance", "CA1515:Consider making public types internal", Justification = "The in-process entry point that end-to-end tests call.")]
public static class GatewayCtl
{
    /// <summary>Runs one command line and returns its exit code (see <c>gatewayctl --help</c>).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Tables, JSON and help.</param>
    /// <param name="stderr">Errors, and the <c>--verbose</c> trace.</param>
    /// <param name="handler">
    /// Sends the HTTP requests instead of a new socket handler (a test server's handler, say); the base URL
    /// still comes from <c>--url</c> or <c>GATEWAY_URL</c>. Not disposed.
    /// </param>
    /// <param name="environment">
    /// Replaces the process environment for <c>GATEWAY_URL</c>, <c>GATEWAY_ADMIN_TOKEN</c> and <c>GATEWAY_API_KEY</c>, so tests need not set variables.
    /// </param>
    /// <param name="cancellationToken">Stops the command as Ctrl+C does (exit 130); Ctrl+C and SIGTERM still do too.</param>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        HttpMessageHandler? handler = null,
        IDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var host = new CliHost(stdout, stderr, handler, ReadEnvironment(environment));
        var root = GatewayCtlCommand.Create(host);

        // No @response-file expansion: a --reason that starts with '@' means what it says.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Action is ParseErrorAction || (parseResult.Errors.Count > 0 && parseResult.Action is null))
        {
            ReportParseErrors(parseResult, stderr);
            return ExitCodes.Usage;
        }

        // Exceptions other than the kinds CommandRunner maps (and an interruption) are bugs: let them surface rather
        // than be turned into an exit code that means something else.
        return await parseResult.InvokeAsync(
            new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The variables the commands read: the connection's, the gateway key's, and the commit an evaluation run records
    /// (<see cref="Eval.EvalRunRecord.GitShaVariables"/>; without them every stored run lacked its <c>git_sha</c>).
    /// </summary>
    internal static Dictionary<string, string?> ReadEnvironment(IDictionary<string, string?>? environment)
    {
        if (environment is not null)
        {
            return new Dictionary<string, string?>(environment, StringComparer.Ordinal);
        }

        var read = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in (string[])[ConnectionSettings.UrlVariable, ConnectionSettings.TokenVariable, Eval.EvalCommands.GatewayKeyVariable, .. Eval.EvalRunRecord.GitShaVariables])
        {
            read[name] = Environment.GetEnvironmentVariable(name);
        }

        return read;
    }

    private static void ReportParseErrors(ParseResult parseResult, TextWriter stderr)
    {
        foreach (var error in parseResult.Errors)
        {
            // Some messages list choices on tab-indented lines; one error, one line.
            var message = string.Join(' ', error.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            stderr.WriteLine($"error: {message} ({UsageException.UsageErrorCode})");
        }

        stderr.WriteLine($"Run '{CommandPath(parseResult.CommandResult)} --help' for usage.");
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is not null; result = result.Parent)
        {
            if (result is CommandResult commandResult)
            {
                names.Add(commandResult.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
