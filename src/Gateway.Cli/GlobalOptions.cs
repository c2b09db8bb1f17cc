using System.CommandLine;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli;

/// <summary>Options every command accepts, before or after the command name.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"The gateway's base URL, e.g. http://127.0.0.1:8080 [default: ${ConnectionSettings.UrlVariable}]",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Admin token [default: ${ConnectionSettings.TokenVariable}]. Prefer the variable: flags end up in shell history",
        HelpName = "token",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the gateway's JSON (indented) instead of tables, for scripts",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Trace each request and response status to stderr (never headers or the token)",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(Json);
        root.Options.Add(Verbose);
    }
}
