using System.CommandLine;
using LlmGateway.Cli.History;

namespace LlmGateway.Cli;

/// <summary>
/// Options that take an instant (<c>--at</c>, <c>--from</c>, <c>--to</c>), read by <see cref="InstantParser"/>, so
/// every command accepts the same spellings and a bad one fails at parse time with the same message.
/// </summary>
internal static class InstantOption
{
    public static Option<DateTimeOffset?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "time",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (InstantParser.TryParse(text, out var instant))
            {
                return instant;
            }

            result.AddError(InstantParser.ErrorMessage(name, text));
            return null;
        },
    };
}
