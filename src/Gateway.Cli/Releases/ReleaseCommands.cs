using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Prompts;

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
        var release = new Command("release", "Show and change what an environment serves: stable, canary, promote, rollback, abort");

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

        release.Subcommands.Add(show);
        release.Subcommands.Add(set);
        release.Subcommands.Add(canary);
        release.Subcommands.Add(promote);
        release.Subcommands.Add(rollback);
        release.Subcommands.Add(abort);
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

        ReleaseFormatter.WriteDetails(context.Out, response.Read(CliJsonContext.Default.ReleaseRecord), context.Value(name), context.Value(environment));
        return ExitCodes.Success;
    }
}
