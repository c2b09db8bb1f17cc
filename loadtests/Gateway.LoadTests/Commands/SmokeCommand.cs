using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// <c>smoke</c>, for CI: the real gateway (every feature on) under low prompt-chat and stream load. It asserts
/// correctness only, never timing, because CI shares a noisy 2-core box: zero failed or dropped requests (warmup
/// included), every prompt response names its version and arm and both arms were served, every stream ends with
/// <c>[DONE]</c> and carries exactly the chunks the mock was asked for.
/// </summary>
internal static class SmokeCommand
{
    private const int Chunks = 50;
    private const int ChunkDelayMs = 10;

    public static async Task<int> RunAsync(CommandArgs args)
    {
        var load = LoadShape.From(args, defaultRate: 20, defaultConcurrency: 4, defaultWarmup: 1, defaultDuration: 10);
        args.EnsureAllRead();

        await Console.Error.WriteLineAsync("smoke: starting the store, mock provider and gateway...");
        await using var bed = await TestBed.StartAsync(yarp: false, gateway: true);
        await CompareCommand.PreparePromptAsync(bed, bed.GatewayUrl!);

        using var interrupt = new InterruptSignal();
        var problems = new List<string>();

        long allFailures = 0;
        void CountFailure(RequestOutcome outcome)
        {
            if (outcome.Error is not null)
            {
                Interlocked.Increment(ref allFailures);
            }
        }

        var prompt = await new LoadTest(load.ToOptions(bed.GatewayUrl!, bed.ApiKey, "prompt-chat"), CountFailure).RunAsync(interrupt.Token);
        TextReportWriter.Write(prompt, Console.Out);
        Check(prompt, "prompt-chat", problems);
        var tags = prompt.ResponseTags.Keys.ToList();
        if (!tags.Any(t => t.EndsWith(" stable", StringComparison.Ordinal)) || !tags.Any(t => t.EndsWith(" canary", StringComparison.Ordinal)))
        {
            problems.Add($"prompt-chat: expected both the stable and the canary arm to be served, got [{string.Join(", ", tags)}]");
        }

        Console.Out.WriteLine();
        var stream = await new LoadTest(
            load.ToOptions(bed.GatewayUrl!, bed.ApiKey, "stream", ["--header", $"x-mock-chunks:{Chunks}", "--header", $"x-mock-chunk-delay-ms:{ChunkDelayMs}", "--expect-chunks", $"{Chunks}"]),
            CountFailure).RunAsync(interrupt.Token);
        TextReportWriter.Write(stream, Console.Out);
        Check(stream, "stream", problems);

        if (Interlocked.Read(ref allFailures) > 0)
        {
            problems.Add($"{allFailures} request(s) failed in all, warmup included");
        }

        Console.Out.WriteLine();
        if (problems.Count == 0)
        {
            await Console.Out.WriteLineAsync($"smoke: OK ({prompt.Requests.Succeeded} prompt-chat and {stream.Requests.Succeeded} stream requests measured, zero errors)");
            return 0;
        }

        foreach (var problem in problems)
        {
            await Console.Out.WriteLineAsync($"smoke: FAILED: {problem}");
        }

        await Console.Out.WriteLineAsync($"(child process logs: {bed.LogDirectory})");
        return 1;
    }

    private static void Check(LoadTestReport report, string name, List<string> problems)
    {
        var requests = report.Requests;
        if (requests.Succeeded == 0)
        {
            problems.Add($"{name}: no request succeeded");
        }

        if (requests.Failed > 0 || requests.Dropped > 0 || requests.Interrupted > 0)
        {
            problems.Add($"{name}: {requests.Failed} failed, {requests.Dropped} dropped, {requests.Interrupted} interrupted ({string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value}"))})");
        }
    }
}
