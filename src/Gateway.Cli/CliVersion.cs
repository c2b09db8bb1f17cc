using System.Reflection;

namespace LlmGateway.Cli;

/// <summary>The CLI's own version, as sent in <c>User-Agent: gatewayctl/&lt;version&gt;</c>.</summary>
internal static class CliVersion
{
    public const string ProductName = "gatewayctl";

    public static string Current { get; } = Read();

    private static string Read()
    {
        var informational = typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return "0.0.0";
        }

        // A "+<commit>" suffix is build metadata, and '+' is not allowed in a User-Agent product version.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
