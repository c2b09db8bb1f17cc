using System.CommandLine;
using System.CommandLine.Parsing;

namespace LlmGateway.LoadTests.Commands;

/// <summary>For command validators, which run even when one of the values they read failed to parse.</summary>
internal static class CommandResultExtensions
{
    /// <summary>
    /// The option's value, or the default when it failed to parse: that value already has its own error, and reading
    /// it would throw instead of letting the user see it.
    /// </summary>
    public static T? ValueOrDefault<T>(this CommandResult result, Option<T> option)
    {
        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }
}
