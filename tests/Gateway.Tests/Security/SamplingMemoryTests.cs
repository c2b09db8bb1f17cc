using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.MockProvider;
using LlmGateway.Sampling;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: sampling cannot exhaust memory. The queue between requests and the sample writer is
/// bounded by bytes as well as by count, request bodies are copied only up to a cap, and what does not
/// fit is dropped and counted. Proven with the writer held still, so every capture stays queued.
/// </summary>
[Collection(SamplingMemoryIsolation.Name)]
public sealed class SamplingMemoryTests(TestEnvironment env)
{
    private const int BodyBytes = 8_000_000;
    private const long QueueCap = 2 * 1024 * 1024;
    private const int Concurrency = 4;
    private const int HostileRequests = 16;
    private const int ForcedRequests = 12;

    // What the flood may add to the process's managed heap beyond the queue's cap: the pooled body
    // buffers of the requests in flight (measured: 30 to 100 MB), the mock's copy of the last body.
    // Before the fix, the same flood queued every 8 MB body on top: 28 of them, 224 MB.
    private const long ProcessSlack = 160L * 1024 * 1024;

    // What sampling itself may hold beyond the cap (the heap while the writer is held, less the heap once
    // it has drained): the built records and the writer's own buffers, and whatever else the process freed
    // between the two readings (the heap is the whole test process's: a full suite read 41 MB once, pooled
    // 8 MB body buffers let go or other tests' gateways winding down, where alone it reads a few MB).
    // Before the fix: 224 MB, still more than three times this.
    private const long SamplingSlack = 64L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_flood_of_8_MB_bodies_with_forged_request_ids_stays_within_the_byte_cap_and_counts_its_drops()
    {
        // A provider of its own that keeps only its last request: the shared mock's log would hold every 8 MB body.
        await using var mock = MockProviderApp.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.ApiKey = TestEnvironment.ProviderKey;
            o.ReceivedRequestCapacity = 1;
        });
        await mock.StartAsync(Ct);
        using var gate = new SamplingWriterGate();
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + ":flood";
        settings["Gateway:Providers:mock:BaseUrl"] = new Uri(new Uri(mock.Urls.First()), "/v1").ToString();
        settings["Gateway:Proxy:MaxRequestBodyBytes"] = (9 * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
        settings["Gateway:Sampling:Models:gpt-4o-mini"] = "0.01";
        settings["Gateway:Sampling:MaxQueuedBytes"] = QueueCap.ToString(CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings, builder => builder.Services.AddSingleton<IRedactorProvider>(gate));
        try
        {
            var hostile = await PromptSetup.KeyAsync(gateway);
            var debug = await PromptSetup.KeyAsync(gateway, GatewayKeyPermissions.Debug);
            var recorder = gateway.GetRequiredService<SampleRecorder>();
            var unsampled = Body("gpt-4o", BodyBytes);
            var sampled = Body("gpt-4o-mini", BodyBytes);

            // Warm the body buffers' pool on a model that is not sampled, so the growth below is mostly sampling's.
            await FloodAsync(gateway, hostile, unsampled, Enumerable.Range(0, Concurrency * 2).Select(i => $"req_warm_{i}"), force: false);
            var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
            var droppedBefore = recorder.DroppedCount;

            // Ids a client would pick to be sampled at 1%, with the force header it is not allowed to use; then a
            // debug key that may force every request, which is what fills the queue.
            await FloodAsync(gateway, hostile, sampled, SamplingForgedIds.UnderRate(0.01, HostileRequests), force: true);
            await FloodAsync(gateway, debug, sampled, SamplingForgedIds.UnderRate(0.01, ForcedRequests, "req_debug_"), force: true);
            await gate.Reached.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            var heapHeld = GC.GetTotalMemory(forceFullCollection: true);
            Assert.InRange(recorder.PeakQueuedBytes, 1, QueueCap);
            Assert.InRange(recorder.QueuedBytes, 1, QueueCap);
            Assert.InRange(heapHeld - heapBefore, long.MinValue, QueueCap + ProcessSlack);

            // 2 MB takes captures of 256 KB while the largest one (1.5 MB with the default caps) still fits, a few at a
            // time; the other forced ones were dropped, and counted.
            Assert.InRange(recorder.DroppedCount - droppedBefore, ForcedRequests - (QueueCap / (256 * 1024)), HostileRequests + ForcedRequests);
            using var scraper = gateway.CreateClient(null);
            Assert.Matches("gateway_samples_dropped_total\\{[^}]*cause=\"queue_bytes\"", await scraper.GetStringAsync("/metrics", Ct));

            // Once the writer moves, the queue empties; what was stored was cut at 256 KB and says so.
            gate.Open();
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(recorder.QueuedBytes == 0), TimeSpan.FromSeconds(30)));
            var heapDrained = GC.GetTotalMemory(forceFullCollection: true);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"heap: +{(heapHeld - heapBefore) / 1024} KB after the flood, {(heapHeld - heapDrained) / 1024} KB of it held by sampling; " +
                $"queued peak {recorder.PeakQueuedBytes / 1024} KB; dropped {recorder.DroppedCount - droppedBefore}");
            Assert.InRange(heapHeld - heapDrained, long.MinValue, QueueCap + SamplingSlack);
            var listed = await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini&limit=1000", 1, TimeSpan.FromSeconds(10));
            var sample = await SampleWaiter.GetAsync(gateway, listed[0].GetProperty("id").GetString()!);
            Assert.True(sample.GetProperty("truncated").GetBoolean());
            Assert.Equal("gpt-4o-mini", sample.GetProperty("request").GetProperty("model").GetString());
            Assert.Matches(@"…\[truncated \d+ (chars|bytes)\]$", sample.GetProperty("input").GetProperty("messages")[0].GetProperty("content").GetString());
        }
        finally
        {
            gate.Open();
        }
    }

    private static async Task FloodAsync(GatewayHost gateway, string key, byte[] body, IEnumerable<string> requestIds, bool force)
    {
        using var client = gateway.CreateClient(key);
        await Parallel.ForEachAsync(requestIds, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = Ct }, async (id, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-Request-Id", id);
            request.Headers.Add("x-mock-reply", "ok");
            if (force)
            {
                request.Headers.Add("X-Gateway-Sample", "true");
            }

            using var response = await client.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
    }

    /// <summary>A chat body for <paramref name="model"/> of exactly <paramref name="size"/> bytes; an address in it makes the writer redact (and so reach the gate).</summary>
    private static byte[] Body(string model, int size)
    {
        var head = Encoding.UTF8.GetBytes("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"write to jane.doe@example.com ");
        var tail = "\"}]}"u8;
        var body = new byte[size];
        head.CopyTo(body, 0);
        // Words, not one long run: the mock counts tokens, and byte-pair encoding of one huge word is slow.
        var words = "lorem ipsum "u8;
        for (var at = head.Length; at < size - tail.Length; at += words.Length)
        {
            words[..Math.Min(words.Length, size - tail.Length - at)].CopyTo(body.AsSpan(at));
        }

        tail.CopyTo(body.AsSpan(size - tail.Length));
        return body;
    }
}
