using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli;

/// <summary>The standard help, followed by configuration and exit codes, which scripts need and the standard help cannot list.</summary>
internal sealed class ExitCodesHelpAction(HelpAction standardHelp) : SynchronousCommandLineAction
{
    private const string ShortExitCodes =
        "Exit codes: 0 success, 1 refused by the gateway, 2 usage error, 3 gateway unreachable or failed, 4 authentication failed, 130 interrupted (see gatewayctl --help).";

    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var result = standardHelp.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;

        if (parseResult.CommandResult.Parent is null)
        {
            output.WriteLine("Configuration:");
            output.WriteLine($"  {ConnectionSettings.UrlVariable,-20} the gateway's base URL, e.g. http://127.0.0.1:8080 (--url wins)");
            output.WriteLine($"  {ConnectionSettings.TokenVariable,-20} an admin token (--token wins); it is never printed");
            output.WriteLine();
            output.WriteLine(ExitCodes.HelpText);
        }
        else
        {
            output.WriteLine(ShortExitCodes);
            output.WriteLine();
        }

        return result;
    }
}
