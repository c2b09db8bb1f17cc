using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Releases;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Cli.Prompts;

/// <summary><c>gatewayctl prompts …</c>: push, list, show, diff and approve prompt bundles.</summary>
internal sealed class PromptsCommands(CommandRunner runner)
{
    private readonly Argument<string> path = new("file|dir")
    {
        Description = "A .yaml, .yml or .json prompt file, or a directory of them (not searched recursively)",
    };

    private readonly Argument<string> name = new("name") { Description = "The prompt's name" };

    private readonly Argument<int?> optionalVersion = new("version")
    {
        Description = "A version (3 or v3); without it, the prompt's versions and releases",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (text is null)
            {
                return null;
            }

            if (VersionNumber.TryParse(text, out var version))
            {
                return version;
            }

            result.AddError(VersionNumber.ErrorMessage("<version>", text));
            return null;
        },
    };

    private readonly Argument<int> version = VersionNumber.Argument("version", "The version (3 or v3)");
    private readonly Argument<int> fromVersion = VersionNumber.Argument("v1", "The older version (3 or v3)");
    private readonly Argument<int> toVersion = VersionNumber.Argument("v2", "The newer version");

    private readonly Option<string?> reason = new("--reason") { Description = "Why; recorded with the approval in history and audit" };

    public Command Build()
    {
        var prompts = new Command("prompts", "Push, inspect, compare and approve prompt bundles");

        var push = new Command("push", "Push prompt bundles from YAML or JSON files; identical content is reported as unchanged") { path };
        runner.Bind(push, PushAsync);

        var list = new Command("list", "List prompts with their latest version and releases");
        runner.Bind(list, ListAsync);

        var show = new Command("show", "Show a prompt's versions and releases, or one version's bundle") { name, optionalVersion };
        runner.Bind(show, ShowAsync);

        var diff = new Command("diff", "Show what changed between two versions (metadata such as id, author and status left out); exits 0 either way")
        {
            name, fromVersion, toVersion,
        };
        runner.Bind(diff, DiffAsync);

        var approve = new Command("approve", "Approve a version (needs the approver role; not your own version)") { name, version, reason };
        runner.Bind(approve, ApproveAsync);

        prompts.Subcommands.Add(push);
        prompts.Subcommands.Add(list);
        prompts.Subcommands.Add(show);
        prompts.Subcommands.Add(diff);
        prompts.Subcommands.Add(approve);
        return prompts;
    }

    private async Task<int> PushAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var files = PromptFileReader.Discover(context.Value(path));
        // Missing configuration is reported once, before any file, not once per file.
        var api = context.Api;

        var outcomes = new List<PushOutcome>();
        var exitCode = ExitCodes.Success;
        foreach (var file in files)
        {
            if (outcomes.Count > 0 && outcomes[^1].StopsTheRun)
            {
                outcomes.Add(new PushOutcome(file, null, PushOutcome.Skipped, outcomes[^1].ExitCode));
                continue;
            }

            var outcome = await PushFileAsync(context, api, file, cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
            exitCode = ExitCodes.MostSevere(exitCode, outcome.ExitCode);
        }

        if (context.Json)
        {
            WritePushJson(context.Out, outcomes);
        }
        else
        {
            WritePushTable(context.Out, outcomes);
        }

        return exitCode;
    }

    private static async Task<PushOutcome> PushFileAsync(CommandContext context, AdminApiClient api, string file, CancellationToken cancellationToken)
    {
        PromptFile prompt;
        try
        {
            prompt = PromptFileReader.Read(file);
        }
        catch (UsageException ex)
        {
            context.Errors.Report(ex.Message, ex.Code, file);
            return new PushOutcome(file, null, PushOutcome.Invalid, ExitCodes.Usage, LocalError: ex.Message);
        }

        try
        {
            var response = await api.PostAsync(AdminRoutes.Prompts, prompt.Json, cancellationToken).ConfigureAwait(false);
            var pushed = response.Read(CliJsonContext.Default.PushResponse);
            return new PushOutcome(
                file,
                pushed.Bundle?.Name ?? prompt.Name,
                pushed.Created ? PushOutcome.Created : PushOutcome.Unchanged,
                ExitCodes.Success,
                pushed.Bundle?.Version,
                pushed.Bundle?.Id,
                (int)response.Status,
                response.Body);
        }
        catch (GatewayRequestFailedException ex)
        {
            context.Errors.Report(ex, file);
            var result = ex.ExitCode == ExitCodes.Refused ? PushOutcome.Refused : PushOutcome.Failed;
            return new PushOutcome(file, prompt.Name, result, ex.ExitCode, HttpStatus: (int)ex.Status, ResponseBody: ex.ResponseBody);
        }
        catch (GatewayUnavailableException ex)
        {
            context.Errors.Report(ex.Message, ex.Code, file);
            return new PushOutcome(file, prompt.Name, PushOutcome.Failed, ExitCodes.Unavailable, LocalError: ex.Message);
        }
    }

    private static void WritePushTable(TextWriter output, List<PushOutcome> outcomes)
    {
        var table = new TextTable("FILE", "NAME", "VERSION", "RESULT", "ID");
        foreach (var outcome in outcomes)
        {
            table.AddRow(outcome.File, outcome.Name, Display.Version(outcome.Version), outcome.Result, Display.IdPrefix(outcome.Id));
        }

        table.WriteTo(output);

        var counts = outcomes.GroupBy(o => o.Result).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var summary = new[] { PushOutcome.Created, PushOutcome.Unchanged, PushOutcome.Invalid, PushOutcome.Refused, PushOutcome.Failed, PushOutcome.Skipped }
            .Where(counts.ContainsKey)
            .Select(result => string.Create(CultureInfo.InvariantCulture, $"{counts[result]} {result}"));
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{outcomes.Count} file{(outcomes.Count == 1 ? "" : "s")}: {string.Join(", ", summary)}"));
    }

    /// <summary>One array for the whole run, one element per file, with the gateway's own answer inside.</summary>
    private static void WritePushJson(TextWriter output, List<PushOutcome> outcomes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var outcome in outcomes)
            {
                writer.WriteStartObject();
                writer.WriteString("file", outcome.File);
                writer.WriteString("result", outcome.Result);
                WriteNullableNumber(writer, "http_status", outcome.HttpStatus);
                writer.WritePropertyName("response");
                WriteBody(writer, outcome.ResponseBody);
                if (outcome.LocalError is not null)
                {
                    writer.WriteString("error", outcome.LocalError);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteNullableNumber(Utf8JsonWriter writer, string property, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(property, number);
        }
        else
        {
            writer.WriteNull(property);
        }
    }

    private static void WriteBody(Utf8JsonWriter writer, string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            writer.WriteNullValue();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            document.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            // A proxy's HTML error page, say: still shown, as text.
            writer.WriteStringValue(body);
        }
    }

    private async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(AdminRoutes.Prompts, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var prompts = response.Read(CliJsonContext.Default.PromptSummaryArray);
        if (prompts.Length == 0)
        {
            context.Out.WriteLine("No prompts yet. Push one with: gatewayctl prompts push <file|dir>");
            return ExitCodes.Success;
        }

        var table = new TextTable("NAME", "LATEST", "VERSIONS", "RELEASES") { MaxCellWidth = 100 };
        foreach (var prompt in prompts.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            table.AddRow(prompt.Name, Display.Version(prompt.LatestVersion), prompt.Versions.ToString(CultureInfo.InvariantCulture), ReleasesSummary(prompt.Releases));
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    private static string ReleasesSummary(Dictionary<string, ReleaseView>? releases) =>
        releases is null || releases.Count == 0
            ? TextTable.Missing
            : string.Join("; ", releases.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {ReleaseFormatter.Summary(r.Value)}"));

    private async Task<int> ShowAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var promptName = context.Value(name);
        var requestedVersion = context.OptionalValue(optionalVersion);

        if (requestedVersion is { } number)
        {
            var bundle = await context.Api.GetAsync(AdminRoutes.Version(promptName, number), cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(bundle.Body);
            }
            else
            {
                context.Out.Write(PromptBundleRenderer.Render(bundle.ReadElement()));
            }

            return ExitCodes.Success;
        }

        var response = await context.Api.GetAsync(AdminRoutes.Prompt(promptName), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var detail = response.Read(CliJsonContext.Default.PromptDetail);
        context.Out.WriteLine(detail.Name);
        context.Out.WriteLine();
        context.Out.WriteLine("Versions");
        var versions = new TextTable("VERSION", "ID", "LABEL", "STATUS", "AUTHOR", "CREATED", "APPROVED BY", "MESSAGE");
        foreach (var summary in (detail.Versions ?? []).OrderBy(v => v.Version))
        {
            versions.AddRow(
                Display.Version(summary.Version),
                Display.IdPrefix(summary.Id),
                summary.Label,
                summary.Status,
                summary.Author,
                Display.Instant(summary.CreatedAt),
                summary.ApprovedBy,
                summary.Message);
        }

        versions.WriteTo(context.Out);
        context.Out.WriteLine();
        WriteEvaluations(context.Out, detail.Versions);
        WriteReleases(context.Out, detail.Releases);
        return ExitCodes.Success;
    }

    /// <summary>A line per version with a recorded run: <c>v3  approved  eval: pass vs v2 (accuracy +1.2 pp) evr_…</c>.</summary>
    private static void WriteEvaluations(TextWriter output, IReadOnlyList<PromptBundleView>? versions)
    {
        var evaluated = (versions ?? []).Where(v => v.LatestEval is not null).OrderBy(v => v.Version).ToList();
        if (evaluated.Count == 0)
        {
            return;
        }

        output.WriteLine("Evaluations (newest run per version; gatewayctl eval list <name> --version V for all)");
        var versionWidth = evaluated.Max(v => Display.Version(v.Version).Length);
        var statusWidth = evaluated.Max(v => Display.Text(v.Status).Length);
        foreach (var summary in evaluated)
        {
            output.WriteLine($"  {Display.Version(summary.Version).PadRight(versionWidth)}  {Display.Text(summary.Status).PadRight(statusWidth)}  {summary.LatestEval!.Describe()}");
        }

        output.WriteLine();
    }

    private static void WriteReleases(TextWriter output, Dictionary<string, ReleaseView>? releases)
    {
        if (releases is null || releases.Count == 0)
        {
            output.WriteLine("Releases: none yet (gatewayctl release set <name> --env E --version V)");
            return;
        }

        output.WriteLine("Releases");
        var table = new TextTable("ENVIRONMENT", "STABLE", "CANARY", "PREVIOUS", "REVISION", "UPDATED", "BY");
        foreach (var (environment, release) in releases.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            table.AddRow(
                environment,
                Display.Version(release.Stable),
                ReleaseFormatter.Canary(release),
                Display.Version(release.PreviousStable),
                Display.Number(release.Revision),
                Display.Instant(release.UpdatedAt),
                release.Actor);
        }

        table.WriteTo(output);
    }

    private async Task<int> DiffAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var promptName = context.Value(name);
        var older = context.Value(fromVersion);
        var newer = context.Value(toVersion);

        var olderBundle = await context.Api.GetAsync(AdminRoutes.Version(promptName, older), cancellationToken).ConfigureAwait(false);
        var newerBundle = await context.Api.GetAsync(AdminRoutes.Version(promptName, newer), cancellationToken).ConfigureAwait(false);

        var olderLabel = $"{promptName} {Display.Version(older)}";
        var newerLabel = $"{promptName} {Display.Version(newer)}";
        var diff = PromptDiff.Unified(
            PromptDiff.Normalise(olderBundle.ReadElement()),
            PromptDiff.Normalise(newerBundle.ReadElement()),
            olderLabel,
            newerLabel);

        if (context.Json)
        {
            WriteDiffJson(context.Out, promptName, older, newer, diff);
        }
        else if (diff.Length == 0)
        {
            context.Out.WriteLine($"{olderLabel} and {Display.Version(newer)} have the same content (metadata such as id, author and status aside).");
        }
        else
        {
            context.Out.Write(diff);
        }

        // A difference is an answer, not a failure: scripts test the output, not the exit code.
        return ExitCodes.Success;
    }

    private static void WriteDiffJson(TextWriter output, string promptName, int older, int newer, string diff)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("name", promptName);
            writer.WriteNumber("from_version", older);
            writer.WriteNumber("to_version", newer);
            writer.WriteBoolean("identical", diff.Length == 0);
            writer.WriteString("diff", diff);
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private async Task<int> ApproveAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var promptName = context.Value(name);
        var number = context.Value(version);
        var body = JsonSerializer.Serialize(new ApproveRequest(context.Value(reason)), CliJsonContext.Default.ApproveRequest);

        var response = await context.Api.PostAsync(AdminRoutes.Approve(promptName, number), body, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var bundle = response.Read(CliJsonContext.Default.PromptBundleView);
        // Versions start at 1: a 0 is an answer that left the version out, so the one asked for stands in.
        context.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{bundle.Name ?? promptName} {Display.Version(bundle.Version is 0 ? number : bundle.Version)} is {Display.Text(bundle.Status)} (approved by {Display.Text(bundle.ApprovedBy)} at {Display.Instant(bundle.ApprovedAt)})."));
        return ExitCodes.Success;
    }
}
