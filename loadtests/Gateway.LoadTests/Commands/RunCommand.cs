using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Commands;

/// <summary>The original single run against a server that is already up (<c>--target</c>): the root command's action.</summary>
internal static class RunCommand
{
    private const int JsonNotWritten = 1;

    public static async Task<int> RunAsync(LoadTestOptions options)
    {
        using var interrupt = new InterruptSignal();
        await Console.Error.WriteLineAsync(
            $"Running {options.Scenario.ToString().ToLowerInvariant()} against {options.ChatCompletionsUri} for {options.Warmup.TotalSeconds:0.##} s warmup + "
            + $"{options.Duration.TotalSeconds:0.##} s (at most {options.MaxRequests} requests); Ctrl+C stops early and still reports.");
        var report = await new LoadTest(options).RunAsync(interrupt.Token);
        TextReportWriter.Write(report, Console.Out);

        if (options.JsonPath is { } path)
        {
            try
            {
                await JsonReportWriter.WriteAsync(report, path);
                await Console.Out.WriteLineAsync($"JSON results written to {Path.GetFullPath(path)}");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: could not write the JSON results to '{path}': {exception.Message}");
                return JsonNotWritten;
            }
        }

        return 0;
    }
}
