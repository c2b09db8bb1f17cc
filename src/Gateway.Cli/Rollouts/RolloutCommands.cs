using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Prompts;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Cli.Rollouts;

/// <summary>
/// <c>gatewayctl rollout …</c>: start a progressive rollout of a version, watch the controller judge each step, and
/// pause, resume, abort or skip a step by hand.
/// </summary>
/// <param name="runner">Binds the handlers.</param>
/// <param name="time">The clock for the time in a step [default: the system's].</param>
/// <param name="delay">
/// Waits between two looks of <c>status --watch</c>, ending early (by throwing) when the token is cancelled
/// [default: <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> on <paramref name="time"/>]; tests pass one that does not sleep.
/// </param>
internal sealed class RolloutCommands(CommandRunner runner, TimeProvider? time = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    private readonly Argument<string> prompt = new("prompt") { Description = "The prompt's name" };

    private readonly Option<string> environment = new("--env", "-e")
    {
        Description = "The environment, e.g. staging or production",
        HelpName = "env",
        Required = true,
    };

    private readonly Option<int> version = VersionNumber.Option("--version", "The version to roll out (3 or v3); it must be approved");

    private readonly Option<string?> plan = new("--plan")
    {
        Description = "A rollout plan, YAML or JSON (steps, metrics, on_inconclusive, sampling) [default: the bundle's rollout: block, else the gateway's default plan]",
        HelpName = "file",
    };

    private readonly Option<string?> reason = new("--reason") { Description = "Why; recorded in the rollout's history and audit" };

    private readonly Option<bool> watch = new("--watch", "-w")
    {
        Description = "Show the rollout again every --interval until it is promoted or aborted (Ctrl+C stops watching, not the rollout)",
    };

    private readonly Option<TimeSpan?> interval = IntervalOption.Create("--interval", $"How often --watch looks: {IntervalOption.Examples} [default: 2s]");

    public Command Build()
    {
        var rollout = new Command(
            "rollout",
            "Roll a version out progressively: the gateway moves traffic step by step and judges each step, canary against stable, " +
            "promoting, pausing or aborting on the evidence");

        var start = new Command("start", "Start rolling out a version in an environment (409 if a rollout is already running there)")
        {
            prompt, environment, version, plan, reason,
        };
        runner.Bind(start, StartAsync);

        var status = new Command(
            "status",
            "Show a rollout: candidate and baseline, status, step and time in it, and the last evaluation's verdict per metric")
        {
            prompt, environment, watch, interval,
        };
        status.Validators.Add(result =>
        {
            if (result.GetResult(interval) is not null && !result.ValueOrDefault(watch))
            {
                result.AddError("--interval sets how often --watch looks; give it with --watch.");
            }
        });
        runner.Bind(status, StatusAsync);

        rollout.Subcommands.Add(start);
        rollout.Subcommands.Add(status);
        rollout.Subcommands.Add(Control("pause", "Hold the rollout at its step: traffic stays as it is and the controller stops advancing it"));
        rollout.Subcommands.Add(Control("resume", "Let a paused rollout go on from its step"));
        rollout.Subcommands.Add(Control("abort", "Stop the rollout: all traffic goes back to the baseline"));
        rollout.Subcommands.Add(Control("skip-step", "End the current step now and go to the next (from the last step: promote)"));
        return rollout;
    }

    private Command Control(string control, string description)
    {
        var command = new Command(control, description) { prompt, environment, reason };
        runner.Bind(command, (context, cancellationToken) => ControlAsync(context, control, cancellationToken));
        return command;
    }

    private async Task<int> StartAsync(CommandContext context, CancellationToken cancellationToken)
    {
        // The plan is read and checked before anything is sent: a bad file is exit 2 with nothing started.
        var planned = context.Value(plan) is { } file ? RolloutPlanFile.Read(file) : null;
        var candidate = context.Value(version);
        var body = JsonSerializer.Serialize(
            new RolloutStartRequest { Version = candidate, Plan = planned, Reason = context.Value(reason) },
            CliJsonContext.Default.RolloutStartRequest);
        var response = await context.Api.PostAsync(Route(context), body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, view =>
            $"Started rolling out {Display.Version(candidate)} in {view.Environment ?? context.Value(environment)} against {Display.Version(view.Baseline)}.");
    }

    private async Task<int> ControlAsync(CommandContext context, string control, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new RolloutControlRequest { Reason = context.Value(reason) }, CliJsonContext.Default.RolloutControlRequest);
        var route = RolloutRoutes.Control(context.Value(prompt), RequiredEnvironment(context), control);
        var response = await context.Api.PostAsync(route, body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, view => Headline(control, view));
    }

    private async Task<int> StatusAsync(CommandContext context, CancellationToken cancellationToken)
    {
        if (!context.Value(watch))
        {
            var response = await context.Api.GetAsync(Route(context), cancellationToken).ConfigureAwait(false);
            return Write(context, response, headline: null);
        }

        var every = context.Value(interval) ?? IntervalOption.Default;
        try
        {
            for (var look = 0; ; look++)
            {
                var response = await context.Api.GetAsync(Route(context), cancellationToken).ConfigureAwait(false);
                var view = response.Read(CliJsonContext.Default.RolloutView);
                if (context.Json)
                {
                    // One compact document per look (JSON lines), so a script can read them as they come.
                    context.Out.WriteLine(JsonPrinter.Compact(response.ReadElement()));
                }
                else
                {
                    if (look > 0)
                    {
                        context.Out.WriteLine();
                    }

                    context.Out.Write(RolloutRenderer.Render(view, clock.GetUtcNow(), context.Value(prompt), context.Value(environment)));
                }

                if (RolloutStatuses.HasEnded(view.Status))
                {
                    // A script waiting on the rollout learns how it ended, not only that it did.
                    return view.Status == RolloutStatuses.Promoted ? ExitCodes.Success : ExitCodes.RolloutNotPromoted;
                }

                await (delay ?? Delay)(every, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends the watching, which is how watching is meant to end; the rollout goes on.
            return ExitCodes.Success;
        }
    }

    private Task Delay(TimeSpan wait, CancellationToken cancellationToken) => Task.Delay(wait, clock, cancellationToken);

    /// <summary>What a control did, said from the rollout as the gateway answered it.</summary>
    private static string Headline(string control, RolloutView view) => control switch
    {
        "pause" => $"Paused the rollout of {Display.Version(view.Candidate)} at step {RolloutRenderer.Step(view)}.",
        "resume" => $"Resumed the rollout of {Display.Version(view.Candidate)} at step {RolloutRenderer.Step(view)}.",
        "abort" => $"Aborted the rollout of {Display.Version(view.Candidate)}; all traffic goes to {Display.Version(view.Baseline)}.",
        _ when view.Status == RolloutStatuses.Promoted => $"Skipped the last step: {Display.Version(view.Candidate)} is promoted.",
        _ => string.Create(CultureInfo.InvariantCulture, $"Skipped to step {RolloutRenderer.Step(view)}."),
    };

    private string Route(CommandContext context) => RolloutRoutes.Rollout(context.Value(prompt), RequiredEnvironment(context));

    private string RequiredEnvironment(CommandContext context) =>
        context.Value(environment) ?? throw new UsageException("--env is required.");

    private int Write(CommandContext context, GatewayResponse response, Func<RolloutView, string>? headline)
    {
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var view = response.Read(CliJsonContext.Default.RolloutView);
        if (headline is not null)
        {
            context.Out.WriteLine(headline(view));
        }

        context.Out.Write(RolloutRenderer.Render(view, clock.GetUtcNow(), context.Value(prompt), context.Value(environment)));
        return ExitCodes.Success;
    }
}
