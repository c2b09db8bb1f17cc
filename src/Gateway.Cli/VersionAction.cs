using System.CommandLine;
using System.CommandLine.Invocation;

namespace LlmGateway.Cli;

/// <summary>Prints gatewayctl's own version; the standard one prints the entry assembly's, which in-process tests would change.</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(CliVersion.Current);
        return ExitCodes.Success;
    }
}
