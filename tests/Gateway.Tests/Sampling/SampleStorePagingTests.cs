using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Sampling;

/// <summary>
/// A listing's page reads its index in chunks, each going on below the last id read: samples written (or trimmed)
/// while a page is read must not make it repeat or skip ids, and many samples in one millisecond are each read once.
/// </summary>
public sealed class SampleStorePagingTests(TestEnvironment env)
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow.AddMinutes(-5);
    private int _written;

    [Fact]
    public async Task Samples_written_while_a_page_is_read_do_not_repeat_ids_within_it()
    {
        var samples = NewStore();
        var prompt = Bundles.UniqueName("paging");
        var older = Records(prompt, 450, spacingMs: 1);
        await WriteAsync(samples, older);

        // After each chunk, newer samples land above the page's position (in its window): ranks below them shift.
        samples.AfterChunk = () => WriteAsync(samples, Records(prompt, 30, spacingMs: 1));
        var page = await samples.ListAsync(new SampleFilter { Prompt = prompt, To = _start.AddSeconds(1) }, 1000, cursor: null, TestContext.Current.CancellationToken);

        var ids = page.Samples.Select(s => s.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(older.Select(r => r.Id).OrderDescending(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task Hundreds_of_samples_in_one_millisecond_are_each_listed_once_across_pages()
    {
        var samples = NewStore();
        var prompt = Bundles.UniqueName("paging");
        var same = Records(prompt, 450, spacingMs: 0);
        await WriteAsync(samples, same);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await samples.ListAsync(new SampleFilter { Prompt = prompt }, 70, cursor, TestContext.Current.CancellationToken);
            seen.AddRange(page.Samples.Select(s => s.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(same.Select(r => r.Id).OrderDescending(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task An_export_whose_filter_matches_little_stops_at_its_scan_limit_and_says_so()
    {
        var samples = NewStore(maxScannedPerExport: 250);
        var prompt = Bundles.UniqueName("paging");
        var oldest = Records(prompt, 1, spacingMs: 1, variant: "canary");
        await WriteAsync(samples, oldest);
        await WriteAsync(samples, Records(prompt, 600, spacingMs: 1));

        // Only the oldest is a canary: found within a wide enough scan, not within 250 ids of the newest.
        var narrow = new SampleExportScan();
        var exported = await Collect(samples.ExportAsync(new SampleFilter { Prompt = prompt, Variant = "canary" }, 10, narrow, TestContext.Current.CancellationToken));
        var wide = new SampleExportScan();
        var all = await Collect(NewStore(maxScannedPerExport: 1_000).ExportAsync(new SampleFilter { Prompt = prompt, Variant = "canary" }, 10, wide, TestContext.Current.CancellationToken));

        Assert.Empty(exported);
        Assert.True(narrow.LimitReached);
        Assert.Equal(oldest[0].Id, Assert.Single(all).Id);
        Assert.False(wide.LimitReached);
    }

    [Fact]
    public async Task An_export_leaves_out_samples_the_evaluation_pipeline_could_not_replay_and_counts_them()
    {
        var samples = NewStore();
        var prompt = Bundles.UniqueName("paging");
        // A sample cut to its bare form, a Responses API input (a string), a body cut inside its messages, and one good.
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, input: new SampleInput()));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, input: new SampleInput { Messages = System.Text.Json.Nodes.JsonValue.Create("hi") }));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, input: new SampleInput { Messages = System.Text.Json.Nodes.JsonNode.Parse("""[{"role":"user","content":"hi"},"…[truncated 900 bytes]"]""") }));
        var good = Records(prompt, 1, spacingMs: 1, input: new SampleInput { Messages = System.Text.Json.Nodes.JsonNode.Parse("""[{"role":"user","content":"hi"}]""") });
        await WriteAsync(samples, good);

        var scan = new SampleExportScan();
        var exported = await Collect(samples.ExportAsync(new SampleFilter { Prompt = prompt }, 10, scan, TestContext.Current.CancellationToken));

        Assert.Equal(good[0].Id, Assert.Single(exported).Id);
        Assert.Equal(3, scan.NotReplayable);
    }

    [Fact]
    public async Task An_export_leaves_out_samples_whose_answer_is_not_whole_and_counts_them()
    {
        // eval run takes output.text as the case's expected answer: a half answer or an error would become the reference.
        var samples = NewStore();
        var prompt = Bundles.UniqueName("paging");
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 200, Text = "half an ans", Streamed = true, Complete = false }));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 200, Text = "…[truncated 40000 chars]", Complete = true, Cut = true }));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 200, Text = "partial", Streamed = true, Complete = true, Error = "The provider's stream was interrupted." }));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 503, Complete = true }));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 500, Complete = true }, refused: true));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 200, Text = "Here are the det", Complete = true, FinishReason = "length" }));
        await WriteAsync(samples, Records(prompt, 1, spacingMs: 1, response: new SampleResponse { Status = 200, Text = "As I was say", Complete = true, FinishReason = "content_filter" }));
        var good = Records(prompt, 1, spacingMs: 1);
        await WriteAsync(samples, good);

        var scan = new SampleExportScan();
        var exported = await Collect(samples.ExportAsync(new SampleFilter { Prompt = prompt }, 10, scan, TestContext.Current.CancellationToken));

        Assert.Equal(good[0].Id, Assert.Single(exported).Id);
        Assert.Equal(7, scan.NotWhole);
        Assert.Equal(0, scan.NotReplayable);
    }

    private static async Task<List<SampleRecord>> Collect(IAsyncEnumerable<SampleRecord> records)
    {
        var list = new List<SampleRecord>();
        await foreach (var record in records)
        {
            list.Add(record);
        }

        return list;
    }

    private SampleStore NewStore(int maxScannedPerExport = SampleStore.DefaultMaxScannedPerExport)
    {
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        return new SampleStore(store, Options.Create(new SamplingOptions { MaxPerPrompt = 10_000, Enqueue = false, Retention = TimeSpan.FromDays(7) }), TimeProvider.System)
        {
            MaxScannedPerExport = maxScannedPerExport,
        };
    }

    /// <summary>Records <paramref name="spacingMs"/> apart (0: all in one millisecond), later than every one before.</summary>
    private SampleRecord[] Records(string prompt, int count, int spacingMs, string variant = "stable", SampleInput? input = null, SampleResponse? response = null, bool refused = false)
    {
        var first = ++_written;
        return Enumerable.Range(0, count).Select(i =>
        {
            var at = _start.AddMilliseconds(spacingMs == 0 ? first : first + (i * spacingMs));
            _written = Math.Max(_written, first + (i * spacingMs));
            return new SampleRecord
            {
                Id = SampleIds.New(at),
                RequestId = "req-" + Guid.NewGuid().ToString("N"),
                Timestamp = at,
                Reason = SampleReasons.Rate,
                Prompt = prompt,
                Version = 1,
                Variant = variant,
                Model = "gpt-4o-mini",
                Provider = "mock",
                KeyId = "key",
                Endpoint = "/v1/chat/completions",
                Input = input ?? new SampleInput { Variables = new System.Text.Json.Nodes.JsonObject { ["company"] = "Acme" } },
                Response = response ?? new SampleResponse { Status = 200, Text = "ok", Complete = true },
                Refused = refused,
            };
        }).ToArray();
    }

    private static Task WriteAsync(SampleStore samples, IEnumerable<SampleRecord> records) =>
        samples.WriteAsync(records.Select(r => new SerializedSample(r, SampleSizeCap.Serialize(r))).ToList());
}
