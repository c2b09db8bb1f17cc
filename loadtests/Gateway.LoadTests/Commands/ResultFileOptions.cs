using System.CommandLine;
using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.Commands;

/// <summary><c>--out</c> and <c>--name</c>: where a harness command writes its <c>.md</c>, <c>.json</c> and charts.</summary>
internal sealed class ResultFileOptions(string defaultName)
{
    public Option<string?> Out { get; } = new("--out") { Description = "Directory for the result files. Default: loadtests/results", HelpName = "dir" };

    public Option<string?> Name { get; } = new("--name") { Description = $"Base name of the result files. Default: {defaultName}", HelpName = "name" };

    public void AddTo(Command command)
    {
        command.Options.Add(Out);
        command.Options.Add(Name);
    }

    public ResultFiles Files(ParseResult result) => ResultFiles.From(result.GetValue(Out));

    public string NameOr(ParseResult result, string fallback) => result.GetValue(Name) is { Length: > 0 } name ? name : fallback;
}
