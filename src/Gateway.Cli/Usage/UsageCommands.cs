using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.History;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Usage;

/// <summary><c>gatewayctl usage</c>: requests, tokens and cost from the gateway's usage counters, grouped.</summary>
internal sealed class UsageCommands(CommandRunner runner)
{
    private static readonly string[] Dimensions = ["prompt", "version", "variant", "model", "key"];

    private readonly Option<string?> prompt = new("--prompt") { Description = "Only this prompt ('-' for plain-model requests)" };
    private readonly Option<string?> version = new("--prompt-version") { Description = "Only this prompt version", HelpName = "n" };
    private readonly Option<string?> variant = new("--variant") { Description = "Only this arm: stable, canary, pinned or shadow" };
    private readonly Option<string?> model = new("--model") { Description = "Only this catalog model" };
    private readonly Option<string?> key = new("--key") { Description = "Only this gateway key id (key_…)" };
    private readonly Option<string?> groupBy = new("--group-by") { Description = "Comma-separated: prompt, version, variant, model, key", HelpName = "dims" };
    private readonly Option<string?> from = new("--from") { Description = $"From this instant ({InstantParser.Examples}); default: an hour before --to, or an hour ago", HelpName = "time" };
    private readonly Option<string?> to = new("--to") { Description = "Until this instant; default: now", HelpName = "time" };

    public Command Build()
    {
        var usage = new Command("usage", "Show requests, tokens and cost from the usage counters, filtered and grouped")
        {
            prompt, version, variant, model, key, groupBy, from, to,
        };
        runner.Bind(usage, UsageAsync);
        return usage;
    }

    private async Task<int> UsageAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("/admin/v1/usage?");
        Add(query, "prompt", context.Value(prompt));
        Add(query, "version", context.Value(version));
        Add(query, "variant", context.Value(variant));
        Add(query, "model", context.Value(model));
        Add(query, "key", context.Value(key));
        Add(query, "groupBy", context.Value(groupBy));
        Add(query, "from", Instant(context.Value(from), "--from"));
        Add(query, "to", Instant(context.Value(to), "--to"));

        var response = await context.Api.GetAsync(query.ToString().TrimEnd('&', '?'), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var rows = response.ReadElement();
        var groups = (context.Value(groupBy) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(Dimensions.Contains).ToArray();
        var table = new TextTable([.. groups.Select(g => g.ToUpperInvariant()), "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "COST USD", "UNPRICED"]);
        foreach (var row in rows.EnumerateArray())
        {
            var group = row.GetProperty("group");
            table.AddRow([
                .. groups.Select(g => group.TryGetProperty(g, out var v) ? v.GetString() : null),
                Number(row, "requests"), Number(row, "errors"), Number(row, "input_tokens"), Number(row, "output_tokens"),
                // Ten decimals, as 'samples' prints them: a row of a small model's requests costs millionths of a dollar.
                row.GetProperty("cost_usd").GetDecimal().ToString("0.##########", CultureInfo.InvariantCulture),
                Number(row, "unpriced_requests"),
            ]);
        }

        // What the gateway read, which may not be the range asked: the minutes or hours that start in it.
        if (response.Header("X-Usage-Window") is { } window)
        {
            var parts = window.Split('/');
            var granularity = response.Header("X-Usage-Granularity") is { } g ? $" (by {g})" : "";
            context.Out.WriteLine(parts.Length == 2 ? $"Usage from {parts[0]} to {parts[1]}{granularity}" : $"Usage over {window}{granularity}");
        }

        if (table.RowCount == 0)
        {
            context.Out.WriteLine("No usage in that range.");
            return ExitCodes.Success;
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    private static string Number(JsonElement row, string name) => row.GetProperty(name).GetInt64().ToString("N0", CultureInfo.InvariantCulture);

    private static string? Instant(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return InstantParser.TryParse(text, out var instant)
            ? instant.ToString("o", CultureInfo.InvariantCulture)
            : throw new UsageException(InstantParser.ErrorMessage(option, text));
    }

    private static void Add(StringBuilder query, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            query.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }
    }
}
