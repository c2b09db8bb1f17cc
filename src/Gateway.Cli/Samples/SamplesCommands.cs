using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.History;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Prompts;

namespace LlmGateway.Cli.Samples;

/// <summary><c>gatewayctl samples …</c>: browse the requests the gateway sampled, read one, export them as a golden dataset.</summary>
internal sealed class SamplesCommands(CommandRunner runner)
{
    private const string ExportMediaType = "application/x-ndjson";

    private readonly Argument<string> id = new("id") { Description = "The sample's id (smp_…), from 'samples list'" };

    private readonly Option<string?> prompt = new("--prompt") { Description = "Only this prompt" };
    private readonly Option<int?> version = VersionNumber.OptionalOption("--version", "Only this prompt version (3 or v3)");
    private readonly Option<string?> variant = new("--variant") { Description = "Only this arm: stable, canary, pinned or shadow" };
    private readonly Option<string?> model = new("--model") { Description = "Only this catalog model" };
    private readonly Option<string?> environment = new("--env", "-e") { Description = "Only this environment", HelpName = "env" };
    private readonly Option<DateTimeOffset?> from = InstantOption.Create("--from", $"Sampled at or after this instant: {InstantParser.Examples}; UTC unless an offset is given");
    private readonly Option<DateTimeOffset?> to = InstantOption.Create("--to", "Sampled at or before this instant");

    private readonly Option<int?> listLimit = NumberOption.Create<int>("--limit", "At most this many samples per page (gateway default 50, at most 1000)", "n", "a whole number");
    private readonly Option<string?> cursor = new("--cursor") { Description = "Continue where the previous page ended (its 'next cursor')" };

    private readonly Option<int?> exportLimit = NumberOption.Create<int>("--limit", "At most this many samples, newest first (gateway default 1000, at most 10000)", "n", "a whole number");
    private readonly Option<string?> output = new("--output", "-o") { Description = "Write the JSON lines to this file (replaced only once the export is complete); default: stdout", HelpName = "file" };

    public Command Build()
    {
        var samples = new Command("samples", "Browse sampled requests and responses, and export them as a golden dataset (JSONL)");

        var list = new Command("list", "List samples, newest first, a page at a time")
        {
            prompt, version, variant, model, environment, from, to, listLimit, cursor,
        };
        AddFilterValidator(list, listLimit);
        runner.Bind(list, ListAsync);

        var show = new Command("show", "Show one sample: route, input, response, usage and cost") { id };
        show.Validators.Add(result =>
        {
            // Checked here: "queue" or "export" in its place would read another endpoint of the samples API.
            if (result.GetValue(id) is { } value && !IsSampleId(value))
            {
                result.AddError($"'{value}' is not a sample id (smp_ and 22 hexadecimal digits, from 'samples list').");
            }
        });
        runner.Bind(show, ShowAsync);

        var export = new Command("export", "Export samples as JSON lines, one golden example per line ({id, input, output, metadata})")
        {
            prompt, version, variant, model, environment, from, to, exportLimit, output,
        };
        AddFilterValidator(export, exportLimit);
        runner.Bind(export, ExportAsync);

        samples.Subcommands.Add(list);
        samples.Subcommands.Add(show);
        samples.Subcommands.Add(export);
        return samples;
    }

    private static bool IsSampleId(string value) =>
        value.Length == 26 && value.StartsWith("smp_", StringComparison.Ordinal) && value.AsSpan(4).IndexOfAnyExcept(LowerHex) < 0;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private void AddFilterValidator(Command command, Option<int?> limit) => command.Validators.Add(result =>
    {
        if (result.ValueOrDefault(limit) is < 1)
        {
            result.AddError("--limit must be at least 1.");
        }

        if (result.ValueOrDefault(from) is { } start && result.ValueOrDefault(to) is { } end && start > end)
        {
            result.AddError("--from is after --to.");
        }
    });

    private async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(
            AdminRoutes.SampleList(Filter(context), context.Value(listLimit), Text(context.Value(cursor))),
            cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var page = response.Read(CliJsonContext.Default.SamplePage);
        var samples = page.Samples ?? [];
        if (samples.Count == 0)
        {
            // A page that read its share of the index and found nothing still has a cursor: older samples may match.
            context.Out.WriteLine(string.IsNullOrEmpty(page.NextCursor)
                ? "No samples match."
                : $"No samples match among the newest read; older ones may: repeat the command with --cursor {page.NextCursor}");
            return ExitCodes.Success;
        }

        var table = new TextTable("ID", "TIME", "PROMPT", "VARIANT", "MODEL", "STATUS", "LATENCY", "COST USD", "REASON", "TRUNCATED");
        foreach (var sample in samples)
        {
            table.AddRow(
                sample.Id,
                Display.Instant(sample.Timestamp),
                SampleFormatter.PromptAtVersion(sample.Prompt, sample.Version),
                sample.Variant,
                sample.Model,
                Display.Number(sample.Status),
                SampleFormatter.Milliseconds(sample.LatencyMs),
                SampleFormatter.Cost(sample.CostUsd),
                sample.Reason,
                sample.Truncated ? "yes" : "no");
        }

        table.WriteTo(context.Out);
        if (!string.IsNullOrEmpty(page.NextCursor))
        {
            // The cursor continues this query, so the same filters have to come with it.
            context.Out.WriteLine($"More samples: repeat the command with --cursor {page.NextCursor}");
        }

        return ExitCodes.Success;
    }

    private async Task<int> ShowAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(AdminRoutes.Sample(context.Value(id)), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        // A sample holds what a client and a model wrote: no escape sequence of theirs reaches the terminal.
        context.Out.Write(TerminalText.Visible(SampleFormatter.Render(response.Read(CliJsonContext.Default.SampleRecord))));
        return ExitCodes.Success;
    }

    private async Task<int> ExportAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var route = AdminRoutes.SampleExport(Filter(context), context.Value(exportLimit));
        var file = Text(context.Value(output));
        if (file is null)
        {
            var written = await CopyAsync(context.Api.GetLinesAsync(route, ExportMediaType, cancellationToken), context.Out, cancellationToken).ConfigureAwait(false);
            // stdout is the dataset; the count goes to stderr so a redirect or a pipe gets only JSON lines.
            context.Error.WriteLine($"Exported {Count(written)} to stdout.");
            return ExitCodes.Success;
        }

        var count = await ExportToFileAsync(context, route, file, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            WriteExportJson(context.Out, file, count);
        }
        else
        {
            context.Out.WriteLine($"Exported {Count(count)} to {file}");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Streams into a temporary file next to the destination and moves it into place only when the export
    /// is complete, so a failed or interrupted export never leaves half a dataset under the real name.
    /// </summary>
    private static async Task<int> ExportToFileAsync(CommandContext context, string route, string file, CancellationToken cancellationToken)
    {
        string destination;
        string temporary;
        try
        {
            destination = Path.GetFullPath(file);
            if (Directory.Exists(destination))
            {
                throw new UsageException($"Cannot write {file}: it is a directory.", "unwritable_file");
            }

            var directory = Path.GetDirectoryName(destination) ?? throw new UsageException($"Cannot write {file}: it has no directory.", "unwritable_file");
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"Cannot write {file}: the directory {directory} does not exist.", "unwritable_file");
            }

            temporary = Path.Combine(directory, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"Cannot write {file}: {ex.Message}", "unwritable_file");
        }

        try
        {
            int count;
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                await using (writer.ConfigureAwait(false))
                {
                    count = await CopyAsync(context.Api.GetLinesAsync(route, ExportMediaType, cancellationToken), writer, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Move(temporary, destination, overwrite: true);
            return count;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Network failures arrive as GatewayUnavailableException; what is left is the local file.
            throw new UsageException($"Cannot write {file}: {ex.Message}", "unwritable_file");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Copies the export line by line as it arrives, checking each is a JSON object, and counts them.</summary>
    private static async Task<int> CopyAsync(IAsyncEnumerable<string> lines, TextWriter writer, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            count++;
            EnsureJsonObject(line, count);
            // '\n' whatever the platform: JSONL readers split on it, and a file made on Windows stays the same file.
            await writer.WriteAsync(line + "\n").ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>A proxy's HTML page or a truncated line must not end up in a dataset as if it were an example.</summary>
    private static void EnsureJsonObject(string line, int number)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return;
            }
        }
        catch (JsonException ex)
        {
            throw NotAnExample(number, ex);
        }

        throw NotAnExample(number, null);
    }

    private static GatewayUnavailableException NotAnExample(int number, JsonException? ex) => new(
        string.Create(CultureInfo.InvariantCulture, $"Line {number} of the gateway's export is not a JSON object{(ex is null ? "" : $" ({ex.Message})")}; the export is incomplete."),
        "unexpected_response",
        ex);

    /// <summary>With --json and --output, stdout still carries one JSON document: what was written where.</summary>
    private static void WriteExportJson(TextWriter writer, string file, int count)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("file", file);
            json.WriteNumber("exported", count);
            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private SampleFilter Filter(CommandContext context) => new(
        Text(context.Value(prompt)),
        context.Value(version),
        Text(context.Value(variant)),
        Text(context.Value(model)),
        Text(context.Value(environment)),
        context.Value(from),
        context.Value(to));

    /// <summary>An empty flag means "not given", not "match the empty string".</summary>
    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Count(int count) => count == 1 ? "1 sample" : string.Create(CultureInfo.InvariantCulture, $"{count} samples");
}
