using System.CommandLine;
using LlmGateway.Cli.History;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// <c>gatewayctl behaviour …</c>: how a prompt's sampled responses scored over time (per metric, version and arm),
/// and the changes the gateway detected in them with the activation nearest before each.
/// </summary>
internal sealed class BehaviourCommands(CommandRunner runner)
{
    private readonly Argument<string> prompt = new("prompt") { Description = "The prompt's name" };

    private readonly Option<string?> environment = new("--env", "-e")
    {
        Description = "The environment [default: production]",
        HelpName = "env",
    };

    private readonly Option<string[]> metrics = new("--metric")
    {
        Description = "Only this metric (refusal, output_tokens, a scorer's name…); repeat it or give a comma list [default: all]",
        HelpName = "metric",
    };

    private readonly Option<string?> groupBy = GroupByOption.Create(
        "--by",
        "Split the series by version, variant (the arm), both, or none for all arms together [default: version,variant]");

    private readonly Option<DateTimeOffset?> from = InstantOption.Create(
        "--from",
        $"From this instant: {InstantParser.Examples}; UTC unless an offset is given [default: an hour before --to]");

    private readonly Option<DateTimeOffset?> to = InstantOption.Create("--to", "Until this instant [default: now]");

    private readonly Option<int?> step = StepOption.Create("--step", $"One bucket per this long, a whole number of minutes: {StepOption.Examples} [default: 1m]");

    private readonly Argument<string> changesPrompt = new("prompt") { Description = "The prompt's name" };

    private readonly Option<string?> changesEnvironment = new("--env", "-e")
    {
        Description = "The environment [default: production]",
        HelpName = "env",
    };

    private readonly Option<string?> changesMetric = new("--metric")
    {
        Description = "Only changes in this metric [default: all]",
        HelpName = "metric",
    };

    private readonly Option<int?> limit = NumberOption.Create<int>("--limit", "At most this many changes, newest first [default: the gateway's]", "n", "a whole number");

    public Command Build()
    {
        var behaviour = new Command(
            "behaviour",
            "Show how a prompt's sampled responses scored over time: one row per metric, version and arm, with its count, " +
            "mean, pass ratio, scorer errors and a sparkline of the mean. 'behaviour changes' lists the detected changes.")
        {
            prompt, environment, metrics, groupBy, from, to, step,
        };
        behaviour.Validators.Add(result =>
        {
            if (result.ValueOrDefault(from) is { } start && result.ValueOrDefault(to) is { } end && start >= end)
            {
                result.AddError("--from must be before --to.");
            }
        });
        runner.Bind(behaviour, SeriesAsync);

        var changes = new Command(
            "changes",
            "List the changes detected in a prompt's behaviour, newest first: what moved, by how much (95% CI), when, " +
            "and the activation (release, canary, rollback…) nearest before it")
        {
            changesPrompt, changesEnvironment, changesMetric, limit,
        };
        changes.Validators.Add(result =>
        {
            if (result.ValueOrDefault(limit) is < 1)
            {
                result.AddError("--limit must be at least 1.");
            }
        });
        runner.Bind(changes, ChangesAsync);

        behaviour.Subcommands.Add(changes);
        return behaviour;
    }

    private async Task<int> SeriesAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var name = context.Value(prompt);
        var query = new BehaviourQuery(
            Text(context.Value(environment)),
            Metrics(context.Value(metrics)),
            context.Value(groupBy),
            context.Value(from),
            context.Value(to),
            context.Value(step));

        var response = await context.Api.GetAsync(BehaviourRoutes.Series(name, query), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        context.Out.Write(BehaviourTableRenderer.Render(response.Read(CliJsonContext.Default.BehaviourResponse), name));
        return ExitCodes.Success;
    }

    private async Task<int> ChangesAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var name = context.Value(changesPrompt);
        var metric = Text(context.Value(changesMetric));
        var response = await context.Api.GetAsync(
            BehaviourRoutes.Changes(name, Text(context.Value(changesEnvironment)), metric, context.Value(limit)),
            cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        context.Out.Write(BehaviourChangesRenderer.Render(response.Read(CliJsonContext.Default.BehaviourChangesResponse), name, metric));
        return ExitCodes.Success;
    }

    /// <summary>Every <c>--metric</c>, comma lists split, blanks and repeats dropped, in the order given.</summary>
    internal static IReadOnlyList<string> Metrics(IEnumerable<string>? values) =>
        [.. (values ?? []).SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
