using BenchmarkDotNet.Running;

namespace LlmGateway.Benchmarks;

/// <summary>
/// Entry point: every benchmark in this assembly, chosen with BenchmarkDotNet's own switches,
/// e.g. <c>-- --filter '*'</c> for all, <c>-- --filter '*' --job short</c> for a quick run.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "alloc-profile")
        {
            return Pipeline.AllocationProfile.RunAsync(args).GetAwaiter().GetResult();
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToList();

        // A benchmark that failed to build or run exits non-zero, so a script notices.
        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
