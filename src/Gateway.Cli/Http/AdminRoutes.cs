using System.Globalization;
using System.Text;
using LlmGateway.Cli.Samples;

namespace LlmGateway.Cli.Http;

/// <summary>
/// The admin API's paths (docs/admin-api.md), with every caller-supplied segment escaped, and <c>.</c> and <c>..</c>
/// refused (<see cref="Segment"/>).
/// </summary>
internal static class AdminRoutes
{
    public const string Prompts = "/admin/v1/prompts";
    public const string Keys = "/admin/v1/keys";
    public const string Samples = "/admin/v1/samples";

    public static string Prompt(string name) => $"{Prompts}/{Escape(name)}";

    public static string Version(string name, int version) => $"{Prompt(name)}/versions/{version.ToString(CultureInfo.InvariantCulture)}";

    public static string Approve(string name, int version) => $"{Version(name, version)}/approve";

    public static string Release(string name, string environment) => $"{Prompt(name)}/releases/{Escape(environment)}";

    /// <summary><c>canary</c>, <c>promote</c>, <c>rollback</c> or <c>abort</c>.</summary>
    public static string ReleaseAction(string name, string environment, string action) => $"{Release(name, environment)}/{action}";

    /// <summary>The release's own sampling policy (<c>PUT</c>).</summary>
    public static string ReleaseSampling(string name, string environment) => $"{Release(name, environment)}/sampling";

    public static string History(string name, string? environment, DateTimeOffset? from, DateTimeOffset? to, int? limit) =>
        Prompt(name) + "/history" + Query(
            ("env", environment),
            ("from", from is { } f ? InstantText(f) : null),
            ("to", to is { } t ? InstantText(t) : null),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)));

    public static string Active(string name, string environment, DateTimeOffset at) =>
        Prompt(name) + "/active" + Query(("env", environment), ("at", InstantText(at)));

    public static string EvalRuns(string name, int? version = null, int? limit = null) =>
        Prompt(name) + "/evals" + Query(
            ("version", version?.ToString(CultureInfo.InvariantCulture)),
            ("limit", limit?.ToString(CultureInfo.InvariantCulture)));

    public static string EvalRun(string name, string id) => $"{Prompt(name)}/evals/{Escape(id)}";

    public static string Key(string id) => $"{Keys}/{Escape(id)}";

    public static string SampleList(SampleFilter filter, int? limit, string? cursor) =>
        Samples + Query([.. SampleFilters(filter), ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor)]);

    public static string Sample(string id) => $"{Samples}/{Escape(id)}";

    /// <summary>The JSONL export takes the list's filters but no cursor: it is one stream, not pages.</summary>
    public static string SampleExport(SampleFilter filter, int? limit) =>
        Samples + "/export" + Query([.. SampleFilters(filter), ("limit", limit?.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>UTC, second precision unless the instant has a fraction: <c>2026-07-20T14:00:00Z</c>.</summary>
    public static string InstantText(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static (string Name, string? Value)[] SampleFilters(SampleFilter filter) =>
    [
        ("prompt", filter.Prompt),
        ("version", filter.Version?.ToString(CultureInfo.InvariantCulture)),
        ("variant", filter.Variant),
        ("model", filter.Model),
        ("environment", filter.Environment),
        ("from", filter.From is { } from ? InstantText(from) : null),
        ("to", filter.To is { } to ? InstantText(to) : null),
    ];

    private static string Escape(string segment) => Segment(segment);

    /// <summary>
    /// A caller's value as one escaped path segment. <c>.</c> and <c>..</c> are unreserved, so escaping leaves them as
    /// they are, and Uri then collapses them as dot-segments: <c>prompts/..</c> would address another route. Refused
    /// here, before any request is built (exit 2).
    /// </summary>
    public static string Segment(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value is "." or ".."
            ? throw new UsageException($"'{value}' cannot be a prompt, environment or id: in a URL path it means a folder, not a name.")
            : Uri.EscapeDataString(value);
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return query.ToString();
    }
}
