using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using LlmGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// <c>-- alloc-profile [forward|admission|routing|pipeline] [plain|prompt]</c>: which types a stage allocates, not
/// only how many bytes. BenchmarkDotNet's <c>Allocated</c> column is one number per stage; to find what to cut, this
/// runs the stage many times under the runtime's own allocation sampling (<c>GCAllocationTick</c>, one event per
/// ~100 KB allocated, naming the type of the object that crossed the mark) and prints each type's share of the
/// sampled bytes, scaled to bytes per request. Sampling, so a type under ~1% of the total is noise.
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var stage = args.Length > 1 ? args[1] : "forward";
        var scenario = args.Length > 2 && args[2].StartsWith("prompt", StringComparison.OrdinalIgnoreCase) ? PipelineScenario.PromptChat : PipelineScenario.PlainChat;
        await using var fixture = await PipelineFixture.StartAsync(scenario);
        var (create, run) = stage switch
        {
            "admission" => ((Func<HttpContext>)fixture.RequestContext, fixture.Stage<AdmissionStage>(PipelineFixture.Nothing)),
            "routing" => (fixture.AdmittedContext, fixture.Stage<RoutingStage>(PipelineFixture.Nothing)),
            "pipeline" => (fixture.RequestContext, fixture.WholePipeline()),
            _ => (fixture.RoutedContext, fixture.Stage<ForwardStage>(fixture.Yarp.ForwardAsync)),
        };

        const int operations = 200_000;
        for (var i = 0; i < 20_000; i++)
        {
            await run(create());
        }

        // The context itself, sampled the same way, to subtract type by type: the stage is measured net of it.
        var (contextBytes, contextTypes) = Sample(operations, () => GC.KeepAlive(create()));
        var (totalBytes, stageTypes) = Sample(operations, () => run(create()).GetAwaiter().GetResult());
        Console.WriteLine($"{stage} ({scenario}): {totalBytes:F0} B/op on the request thread, context alone {contextBytes:F0} B, net {totalBytes - contextBytes:F0} B");
        var net = stageTypes.Keys.Union(contextTypes.Keys)
            .Select(type => (Type: type, Bytes: stageTypes.GetValueOrDefault(type) - contextTypes.GetValueOrDefault(type)))
            .OrderByDescending(p => p.Bytes);
        foreach (var (type, bytes) in net)
        {
            if (Math.Abs(bytes) >= 8)
            {
                Console.WriteLine($"{bytes,8:F0} B  {type}");
            }
        }

        return 0;
    }

    /// <summary>Bytes per operation on this thread, and the sampled split of them by type (bytes per operation).</summary>
    private static (double Bytes, Dictionary<string, double> Types) Sample(int operations, Action operation)
    {
        using var listener = new AllocationListener();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < operations; i++)
        {
            operation();
        }

        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)operations;
        listener.Stop();
        var sampled = (double)listener.Bytes.Values.Sum();
        return (bytes, listener.Bytes.ToDictionary(p => p.Key, p => p.Value / sampled * bytes));
    }

    private sealed class AllocationListener : EventListener
    {
        private volatile bool _stopped;

        public ConcurrentDictionary<string, long> Bytes { get; } = new();

        public int Events;

        public void Stop() => _stopped = true;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: GCAllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (_stopped || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null)
            {
                return;
            }

            var type = e.PayloadNames!.IndexOf("TypeName") is var t and >= 0 ? e.Payload[t] as string ?? "?" : "?";
            var amount = e.PayloadNames!.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
            Bytes.AddOrUpdate(type, amount, (_, b) => b + amount);
            Interlocked.Increment(ref Events);
        }
    }
}
