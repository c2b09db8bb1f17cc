using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Prompts;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Cli.Releases;

/// <summary><c>gatewayctl release …</c>: what each environment serves, and the moves that change it.</summary>
internal sealed class ReleaseCommands(CommandRunner runner)
{
    private readonly Argument<string> name = new("name") { Description = "The prompt's name" };

    private readonly Option<string> environment = new("--env", "-e")
    {
        Description = "The environment, e.g. development, staging or production",
        HelpName = "env",
        Required = true,
    };

    private readonly Option<int> stableVersion = VersionNumber.Option("--version", "The version to make stable (3 or v3)");
    private readonly Option<int> canaryVersion = VersionNumber.Option("--version", "The version to send canary traffic to (3 or v3)");

    private readonly Option<int?> weight = NumberOption.Create<int>(
        "--weight", "The canary's share of traffic in basis points, 0-10000 (1000 = 10 %)", "bps", "a whole number of basis points");

    private readonly Option<decimal?> percent = NumberOption.Create<decimal>(
        "--percent", "The canary's share in percent, 0-100, to 0.01 (converted to basis points); instead of --weight", "percent", "a number like 10 or 2.5");

    private readonly Option<string?> reason = new("--reason") { Description = "Why; recorded in history and audit" };

    private readonly Option<long?> revision = NumberOption.Create<long>(
        "--revision", "Apply only if the release is still at this revision (else 409, exit 1); see 'release show'", "n", "a whole number");

    private readonly Option<decimal?> stableRate = RateOption("--stable", "The share of the stable arm's requests to sample");
    private readonly Option<decimal?> canaryRate = RateOption("--canary", "The share of the canary arm's requests to sample");

    private readonly Option<int?> floor = NumberOption.Create<int>(
        "--floor", "Sample this many requests per arm per hour at a steady pace, whatever the rate; left out: the configured default", "n", "a whole number");

    private readonly Option<bool> reset = new("--reset") { Description = "Drop this release's policy: back to the configured defaults" };

    private readonly Option<JsonElement?> evidence = new("--evidence-json")
    {
        Description = "A JSON object recorded with the abort, e.g. '{\"error_rate\":0.12,\"eval_run\":\"run_42\"}'",
        HelpName = "json",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return document.RootElement.Clone();
                }

                result.AddError("--evidence-json must be a JSON object, like '{\"error_rate\":0.12}'.");
            }
            catch (JsonException ex)
            {
                result.AddError($"--evidence-json is not valid JSON: {ex.Message}");
            }

            return null;
        },
    };

    public Command Build()
    {
        var release = new Command("release", "Show and change what an environment serves: stable, canary, promote, rollback, abort, sampling");

        var show = new Command("show", "Show the release of a prompt in an environment") { name, environment };
        runner.Bind(show, ShowAsync);

        var set = new Command("set", "Make a version stable (clears any canary)") { name, environment, stableVersion, reason, revision };
        runner.Bind(set, SetAsync);

        var canary = new Command("canary", "Send a share of traffic to a version (or change the share of the running canary)")
        {
            name, environment, canaryVersion, weight, percent, reason, revision,
        };
        canary.Validators.Add(result =>
        {
            if (result.TryGetParsedValue(weight, out var bps)
                && result.TryGetParsedValue(percent, out var share)
                && !CanaryWeight.TryResolve(bps, share, out _, out var error))
            {
                result.AddError(error);
            }
        });
        runner.Bind(canary, CanaryAsync);

        var promote = new Command("promote", "Make the canary the stable version") { name, environment, reason, revision };
        runner.Bind(promote, (context, cancellationToken) => ActionAsync(context, "promote", "Promoted the canary to stable.", cancellationToken));

        var rollback = new Command("rollback", "Go back to the previous stable version (clears any canary)") { name, environment, reason, revision };
        runner.Bind(rollback, (context, cancellationToken) => ActionAsync(context, "rollback", "Rolled back to the previous stable version.", cancellationToken));

        var abort = new Command("abort", "Stop the canary; all traffic goes to stable") { name, environment, reason, evidence, revision };
        runner.Bind(abort, AbortAsync);

        var sampling = new Command("sampling", "Set the share of each arm's requests the gateway samples, and an hourly floor (or --reset to the defaults)")
        {
            name, environment, stableRate, canaryRate, floor, reset, reason, revision,
        };
        sampling.Validators.Add(result =>
        {
            if (result.ValueOrDefault(floor) is < 0)
            {
                result.AddError("--floor must be 0 or more.");
            }

            var given = result.GetResult(stableRate) is not null || result.GetResult(canaryRate) is not null || result.GetResult(floor) is not null;
            if (result.ValueOrDefault(reset) && given)
            {
                result.AddError("--reset restores the configured defaults; give it without --stable, --canary and --floor.");
            }
            else if (!result.ValueOrDefault(reset) && !given)
            {
                result.AddError("Give --stable, --canary and/or --floor, or --reset to go back to the configured defaults.");
            }
        });
        runner.Bind(sampling, SamplingAsync);

        release.Subcommands.Add(show);
        release.Subcommands.Add(set);
        release.Subcommands.Add(canary);
        release.Subcommands.Add(promote);
        release.Subcommands.Add(rollback);
        release.Subcommands.Add(abort);
        release.Subcommands.Add(sampling);
        return release;
    }

    private async Task<int> ShowAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(Route(context), cancellationToken).ConfigureAwait(false);
        return Write(context, response, headline: null);
    }

    private async Task<int> SetAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var version = context.Value(stableVersion);
        var body = JsonSerializer.Serialize(
            new SetReleaseRequest(version, context.Value(reason), context.Value(revision)),
            CliJsonContext.Default.SetReleaseRequest);
        var response = await context.Api.PutAsync(Route(context), body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, $"{Display.Version(version)} is now stable.");
    }

    private async Task<int> CanaryAsync(CommandContext context, CancellationToken cancellationToken)
    {
        // Already validated by the command's validator; resolved again here for the value.
        if (!CanaryWeight.TryResolve(context.Value(weight), context.Value(percent), out var basisPoints, out var error))
        {
            throw new UsageException(error);
        }

        var version = context.Value(canaryVersion);
        var body = JsonSerializer.Serialize(
            new CanaryRequest(version, basisPoints, context.Value(reason), context.Value(revision)),
            CliJsonContext.Default.CanaryRequest);
        var response = await context.Api.PostAsync(ActionRoute(context, "canary"), body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, string.Create(
            CultureInfo.InvariantCulture,
            $"{Display.Version(version)} gets {Display.Weight(basisPoints)} of traffic ({basisPoints} bps)."));
    }

    private async Task<int> ActionAsync(CommandContext context, string action, string headline, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(
            new ReleaseActionRequest(context.Value(reason), context.Value(revision)),
            CliJsonContext.Default.ReleaseActionRequest);
        var response = await context.Api.PostAsync(ActionRoute(context, action), body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, headline);
    }

    private async Task<int> AbortAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(
            new AbortRequest(context.Value(reason), context.Value(evidence), context.Value(revision)),
            CliJsonContext.Default.AbortRequest);
        var response = await context.Api.PostAsync(ActionRoute(context, "abort"), body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, "Aborted the canary; all traffic goes to stable.");
    }

    private async Task<int> SamplingAsync(CommandContext context, CancellationToken cancellationToken)
    {
        // Rates and floor left out are left out of the policy too: the gateway's defaults fill them in.
        var policy = context.Value(reset)
            ? null
            : new ReleaseSampling
            {
                Stable = (double?)context.Value(stableRate),
                Canary = (double?)context.Value(canaryRate),
                FloorPerHour = context.Value(floor),
            };
        var body = JsonSerializer.Serialize(
            new SamplingRequest(policy, context.Value(reason), context.Value(revision)),
            CliJsonContext.Default.SamplingRequest);
        var route = AdminRoutes.ReleaseSampling(context.Value(name), RequiredEnvironment(context));
        var response = await context.Api.PutAsync(route, body, cancellationToken).ConfigureAwait(false);
        return Write(context, response, policy is null
            ? "Sampling is back to the configured defaults."
            : $"Sampling set: {ReleaseFormatter.Sampling(policy)}.");
    }

    /// <summary>A rate option: 0.05 or 5%, checked here so a typo never reaches the gateway.</summary>
    private static Option<decimal?> RateOption(string name, string description) => new(name)
    {
        Description = $"{description}: {SamplingRate.Examples}; left out: the configured default",
        HelpName = "rate",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (SamplingRate.TryParse(name, text, out var rate, out var error))
            {
                return rate;
            }

            result.AddError(error);
            return null;
        },
    };

    private string Route(CommandContext context) =>
        AdminRoutes.Release(context.Value(name), RequiredEnvironment(context));

    private string ActionRoute(CommandContext context, string action) =>
        AdminRoutes.ReleaseAction(context.Value(name), RequiredEnvironment(context), action);

    private string RequiredEnvironment(CommandContext context) =>
        context.Value(environment) ?? throw new UsageException("--env is required.");

    private int Write(CommandContext context, GatewayResponse response, string? headline)
    {
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        if (headline is not null)
        {
            context.Out.WriteLine(headline);
        }

        ReleaseFormatter.WriteDetails(context.Out, response.Read(CliJsonContext.Default.ReleaseView), context.Value(name), context.Value(environment));
        return ExitCodes.Success;
    }
}
