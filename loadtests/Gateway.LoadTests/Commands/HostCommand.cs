using System.CommandLine;
using LlmGateway.LoadTests.Hosting;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>host &lt;role&gt; -- &lt;args&gt;</c>: how the harness starts its child processes (this same executable). Hidden from
/// help. The child's own arguments (<c>--urls</c>, <c>--Redis:Configuration=…</c>) come after <c>--</c>, so this parser
/// passes them through untouched to the child's own configuration.
/// </summary>
internal static class HostCommand
{
    public const string Name = "host";

    public static Command Create()
    {
        var role = new Argument<string>("role") { Description = "The system to host." };
        role.AcceptOnlyFromAmong(ChildHost.Roles);
        var rest = new Argument<string[]>("args") { Description = "The child's own arguments, after --.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(Name, "Runs one system of the harness as a child process (used by the harness itself).") { Hidden = true };
        command.Arguments.Add(role);
        command.Arguments.Add(rest);
        command.SetAction((parseResult, _) => ChildHost.RunAsync(parseResult.GetValue(role)!, parseResult.GetValue(rest) ?? []));
        return command;
    }
}
