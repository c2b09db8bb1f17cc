using System.CommandLine;
using LlmGateway.Cli.Behaviour;

namespace LlmGateway.Cli.Rollouts;

/// <summary><c>--interval</c>: how long <c>rollout status --watch</c> waits between looks, as <c>2s</c>, <c>30s</c>, <c>1m</c> or seconds.</summary>
internal static class IntervalOption
{
    public const string Examples = "2s, 30s, 1m or 5 (seconds)";

    public static readonly TimeSpan Default = TimeSpan.FromSeconds(2);

    public static Option<TimeSpan?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (StepOption.TryParseSeconds(text, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            result.AddError($"{name} '{text}' is not a duration; use {Examples}, a whole number of seconds from 1 up.");
            return null;
        },
    };
}
