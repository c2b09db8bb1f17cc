using System.Diagnostics.CodeAnalysis;
using LlmGateway.Cli.Prompts;

namespace LlmGateway.Cli.Eval;

/// <summary>
/// The baseline as typed: a version (<c>3</c> or <c>v3</c>), <c>stable@&lt;env&gt;</c>, which is resolved
/// through the admin API just before the run so a CI job compares against whatever production serves today, or
/// <c>none</c>: the candidate runs alone and is judged on its bundle's <c>eval.thresholds</c> (a first version).
/// </summary>
internal sealed record BaselineSpec
{
    public const string StablePrefix = "stable@";

    public const string NoneText = "none";

    private BaselineSpec(int? version, string? environment)
    {
        Version = version;
        Environment = environment;
    }

    /// <summary>The version to compare against, when given as a number.</summary>
    public int? Version { get; }

    /// <summary>The environment whose stable version is the baseline, when given as <c>stable@env</c>.</summary>
    public string? Environment { get; }

    /// <summary><c>none</c>: no baseline; the candidate is judged on absolute thresholds.</summary>
    public bool IsNone => Version is null && Environment is null;

    public static bool TryParse(string? text, [NotNullWhen(true)] out BaselineSpec? spec)
    {
        spec = null;
        var trimmed = text?.Trim() ?? "";
        if (string.Equals(trimmed, NoneText, StringComparison.OrdinalIgnoreCase))
        {
            spec = new BaselineSpec(null, null);
            return true;
        }

        if (trimmed.StartsWith(StablePrefix, StringComparison.OrdinalIgnoreCase))
        {
            var environment = trimmed[StablePrefix.Length..];
            // An environment is one path segment; whitespace or another '@' is a typo, not a name.
            if (environment.Length == 0 || environment.Any(c => char.IsWhiteSpace(c) || c is '@' or '/'))
            {
                return false;
            }

            spec = new BaselineSpec(null, environment);
            return true;
        }

        if (VersionNumber.TryParse(trimmed, out var version))
        {
            spec = new BaselineSpec(version, null);
            return true;
        }

        return false;
    }

    public static string ErrorMessage(string text) =>
        $"--baseline '{text}' is neither a version (3 or v3), stable@<env> (e.g. stable@production), nor none (judge the candidate on its bundle's eval.thresholds).";

    public override string ToString() => IsNone ? NoneText : Environment is null ? $"v{Version}" : StablePrefix + Environment;
}
