using System.CommandLine;
using System.CommandLine.Parsing;

namespace LlmGateway.Cli;

/// <summary>Helpers for command validators, which run even when one of the values they read failed to parse.</summary>
internal static class CommandResultExtensions
{
    /// <summary>
    /// The option's value, or false when it failed to parse. A value that failed already has its own
    /// error; reading it would throw, and a validator should not add a second, misleading one.
    /// </summary>
    public static bool TryGetParsedValue<T>(this CommandResult result, Option<T> option, out T? value)
    {
        try
        {
            value = result.GetValue(option);
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>The option's value, or the default when it is absent or failed to parse (its error is reported on its own).</summary>
    public static T? ValueOrDefault<T>(this CommandResult result, Option<T> option) =>
        result.TryGetParsedValue(option, out var value) ? value : default;
}
