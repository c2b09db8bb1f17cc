using System.CommandLine;
using System.CommandLine.Help;
using LlmGateway.Cli.Eval;
using LlmGateway.Cli.History;
using LlmGateway.Cli.Keys;
using LlmGateway.Cli.Prompts;
using LlmGateway.Cli.Releases;
using LlmGateway.Cli.Samples;

namespace LlmGateway.Cli;

/// <summary>The command tree: global options, help and version, and one group class per feature.</summary>
internal static class GatewayCtlCommand
{
    public const string Description =
        "gatewayctl: the LLM gateway's control plane. Push and approve prompt bundles, roll them out and back " +
        "per environment, read their history, issue gateway keys, read or export sampled traffic, and gate a prompt version on an eval dataset.";

    public static Command Create(CliHost host)
    {
        // A plain Command named "gatewayctl" rather than RootCommand, whose name is the process's:
        // in-process tests would otherwise see their test host's name in usage lines and errors.
        var root = new Command(CliVersion.ProductName, Description);

        var help = new HelpOption();
        help.Action = new ExitCodesHelpAction((HelpAction)help.Action!);
        root.Options.Add(help);
        root.Options.Add(new VersionOption { Action = new VersionAction() });

        var globals = new GlobalOptions();
        globals.AddTo(root);

        var runner = new CommandRunner(globals, host);
        root.Subcommands.Add(new PromptsCommands(runner).Build());
        root.Subcommands.Add(new ReleaseCommands(runner).Build());
        root.Subcommands.Add(new HistoryCommands(runner).Build());
        root.Subcommands.Add(new KeysCommands(runner).Build());
        root.Subcommands.Add(new AdminTokens.AdminTokensCommands(runner).Build());
        root.Subcommands.Add(new Usage.UsageCommands(runner).Build());
        root.Subcommands.Add(new SamplesCommands(runner).Build());
        root.Subcommands.Add(new EvalCommands(runner).Build());
        root.Subcommands.Add(new Behaviour.BehaviourCommands(runner).Build());
        root.Subcommands.Add(new Rollouts.RolloutCommands(runner).Build());
        return root;
    }
}
