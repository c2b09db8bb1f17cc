using System.CommandLine;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Releases;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Cli.History;

/// <summary><c>gatewayctl history</c>: a prompt's events, or what was released at a given instant.</summary>
internal sealed class HistoryCommands(CommandRunner runner)
{
    private readonly Argument<string> name = new("name") { Description = "The prompt's name" };

    private readonly Option<string?> environment = new("--env", "-e")
    {
        Description = "Only this environment (required with --at)",
        HelpName = "env",
    };

    private readonly Option<DateTimeOffset?> at = InstantOption.Create("--at", $"Show what was active at this instant instead of the events: {InstantParser.Examples}; UTC unless an offset is given");
    private readonly Option<DateTimeOffset?> from = InstantOption.Create("--from", "Events at or after this instant");
    private readonly Option<DateTimeOffset?> to = InstantOption.Create("--to", "Events at or before this instant");

    private readonly Option<int?> limit = NumberOption.Create<int>("--limit", "At most this many events", "n", "a whole number");

    public Command Build()
    {
        var history = new Command(
            "history",
            "Show a prompt's release history (oldest first), or with --at what was active at an instant")
        {
            name, environment, at, from, to, limit,
        };

        history.Validators.Add(result =>
        {
            if (result.ValueOrDefault(at) is not null)
            {
                if (string.IsNullOrWhiteSpace(result.ValueOrDefault(environment)))
                {
                    result.AddError("--at needs --env: a release is per environment.");
                }

                if (result.ValueOrDefault(from) is not null || result.ValueOrDefault(to) is not null || result.ValueOrDefault(limit) is not null)
                {
                    result.AddError("--at shows one instant; it cannot be combined with --from, --to or --limit.");
                }
            }

            if (result.ValueOrDefault(limit) is < 1)
            {
                result.AddError("--limit must be at least 1.");
            }

            if (result.ValueOrDefault(from) is { } start && result.ValueOrDefault(to) is { } end && start > end)
            {
                result.AddError("--from is after --to.");
            }
        });

        runner.Bind(history, HistoryAsync);
        return history;
    }

    private async Task<int> HistoryAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var promptName = context.Value(name);
        var environmentName = context.Value(environment);

        if (context.Value(at) is { } instant)
        {
            var env = environmentName ?? throw new UsageException("--at needs --env.");
            var active = await context.Api.GetAsync(AdminRoutes.Active(promptName, env, instant), cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(active.Body);
            }
            else
            {
                WriteActive(context.Out, active.Read(CliJsonContext.Default.ActiveAtResponse), promptName, env, instant);
            }

            return ExitCodes.Success;
        }

        var response = await context.Api.GetAsync(
            AdminRoutes.History(promptName, environmentName, context.Value(from), context.Value(to), context.Value(limit)),
            cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var events = ReadEvents(response);
        if (events.Count == 0)
        {
            context.Out.WriteLine($"No events for {promptName}{(environmentName is null ? "" : " in " + environmentName)} in that range.");
            return ExitCodes.Success;
        }

        var table = new TextTable("TIME", "ENV", "ACTION", "ACTOR", "VERSION", "STABLE", "CANARY", "REASON");
        foreach (var entry in events)
        {
            table.AddRow(
                Display.Instant(entry.At),
                entry.Environment,
                entry.Action,
                entry.Actor,
                Display.Version(entry.Version),
                StableChange(entry.Before, entry.After),
                entry.After is null ? null : ReleaseFormatter.Canary(entry.After),
                entry.Reason);
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The contract shows the events as a list; a wrapping <c>{"events":[…]}</c> object is accepted too,
    /// so a paginated answer would not break the table.
    /// </summary>
    private static List<ActivationEvent> ReadEvents(GatewayResponse response)
    {
        var root = response.ReadElement();
        var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var wrapped) ? wrapped : root;
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new GatewayUnavailableException("The gateway's history answer is not a list of events.", "unexpected_response");
        }

        try
        {
            var typeInfo = CliJsonContext.Lenient(CliJsonContext.Default.ActivationEvent);
            return [.. list.EnumerateArray().Select(item => item.Deserialize(typeInfo)).OfType<ActivationEvent>()];
        }
        catch (JsonException ex)
        {
            throw new GatewayUnavailableException($"The gateway's history answer is not what gatewayctl {CliVersion.Current} expects ({ex.Message}).", "unexpected_response", ex);
        }
    }

    /// <summary>"v2 → v3" when the event moved stable, "v3" when it did not.</summary>
    internal static string StableChange(ReleaseRecord? before, ReleaseRecord? after)
    {
        var old = before?.Stable;
        var current = after?.Stable;
        return old == current ? Display.Version(current) : $"{Display.Version(old)} → {Display.Version(current)}";
    }

    private static void WriteActive(TextWriter output, ActiveAtResponse active, string promptName, string environmentName, DateTimeOffset instant)
    {
        // An answer without "at" (read leniently) shows the instant asked for.
        var when = Display.Instant(active.At == default ? instant : active.At);
        if (active.Release is null)
        {
            output.WriteLine($"Nothing was released for {active.Prompt ?? promptName} in {active.Environment ?? environmentName} at {when}.");
            return;
        }

        output.WriteLine($"Active at {when}:");
        // The stored record, as the history holds it: named here by the prompt and environment asked about.
        ReleaseFormatter.WriteDetails(output, ReleaseView.From(active.Prompt ?? promptName, active.Environment ?? environmentName, active.Release));
        if (active.Event is { } cause)
        {
            var reason = string.IsNullOrWhiteSpace(cause.Reason) ? "" : $": \"{cause.Reason}\"";
            output.WriteLine($"Since {Display.Instant(cause.At)}, {Display.Text(cause.Action)} by {Display.Text(cause.Actor)}{reason}");
        }
    }
}
