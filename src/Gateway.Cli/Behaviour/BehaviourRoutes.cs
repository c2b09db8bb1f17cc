using System.Globalization;
using System.Text;
using LlmGateway.Cli.Http;

namespace LlmGateway.Cli.Behaviour;

/// <summary>The admin API paths of <c>gatewayctl behaviour</c>, with every caller-supplied value escaped.</summary>
internal static class BehaviourRoutes
{
    public static string Series(string prompt, BehaviourQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return AdminRoutes.Prompt(prompt) + "/behaviour" + Query(
            ("environment", Escape(query.Environment)),
            ("metric", query.Metrics.Count == 0 ? null : List(query.Metrics)),
            // Sent even when empty: "groupBy=" asks for all arms together, leaving it out for the gateway's default split.
            ("groupBy", query.GroupBy is null ? null : List(query.GroupBy.Split(',', StringSplitOptions.RemoveEmptyEntries))),
            ("from", query.From is { } from ? Escape(AdminRoutes.InstantText(from)) : null),
            ("to", query.To is { } to ? Escape(AdminRoutes.InstantText(to)) : null),
            ("step", query.StepSeconds?.ToString(CultureInfo.InvariantCulture)));
    }

    public static string Changes(string prompt, string? environment, string? metric, int? limit) =>
        AdminRoutes.Prompt(prompt) + "/behaviour/changes" + Query(
            ("environment", Escape(environment)),
            ("metric", Escape(metric)),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Each item escaped, the commas between them left as they are, so a traced URL reads <c>metric=refusal,output_tokens</c>.</summary>
    private static string List(IEnumerable<string> items) => string.Join(',', items.Select(Uri.EscapeDataString));

    private static string? Escape(string? value) => value is null ? null : Uri.EscapeDataString(value);

    /// <summary>The parameters that have a value, already escaped; none gives no '?'.</summary>
    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is not null)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(value);
            }
        }

        return query.ToString();
    }
}
