using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Audit;
using LlmGateway.Prompts;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Serialization;
using StackExchange.Redis;

namespace LlmGateway.Admin;

/// <summary>
/// <c>/admin/v1/samples</c>: sampled request/response pairs (list, one, JSONL export in the golden
/// dataset format) and the evaluators' work queue (claim, ack, release, dead letters). Reading
/// samples needs the <see cref="AdminRoles.SampleReader"/> role and every read is audited: who,
/// the filter, and how many samples it returned. The queue is the online evaluation's: claiming needs the
/// <see cref="AdminRoles.Operator"/> role as well, acking and releasing that role alone.
/// </summary>
internal static class SamplesApi
{
    private const int DefaultLimit = 50;
    private const int MaxLimit = 1000;
    private const int DefaultExportLimit = 1000;
    private const int MaxExportLimit = 10_000;

    public static RouteGroupBuilder MapSamplesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/samples", ListAsync).WithTags("Samples").Produces<SamplePage>().WithName("ListSamples")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.SampleReader), new AuditedReadAttribute())
            .WithSummary("Samples newest first, filtered by prompt, version, variant, model, environment and time; page with 'cursor'.");
        admin.MapGet("/samples/export", ExportAsync).WithTags("Samples").Produces<GoldenExample>(contentType: "application/x-ndjson").WithName("ExportSamples")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.SampleReader), new AuditedReadAttribute())
            .WithSummary("Matching samples as JSONL in the golden-dataset format (input, output, metadata), streamed.");
        admin.MapGet("/samples/{id}", GetAsync).WithTags("Samples").Produces<SampleRecord>().WithName("ShowSample")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.SampleReader), new AuditedReadAttribute())
            .WithSummary("One sample: the rendered request, the reassembled response, usage, cost and latency.");

        admin.MapGet("/samples/queue", StatsAsync).WithTags("Sample queue").Produces<SampleQueueStatus>().WithName("SampleQueueStats")
            .WithSummary("How many sample ids wait, are claimed, and were dead-lettered.");
        // The queue is the built-in online evaluation's, its single consumer group: a sample claimed and acked here is
        // never counted into the series that rollouts and the change detector read, and five claims without an ack send
        // it to the dead letters. So claiming, acking and releasing are an operator's. A claim also hands out the samples'
        // content (conversations, outputs, variables): a sample-reader's read too, audited with its count like the
        // listing's. Ack and release only settle a claim its holder already has.
        admin.MapPost("/samples/queue/claim", ClaimAsync).WithTags("Sample queue").Produces<SampleClaimResponse>().WithName("ClaimSamples")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator), new RequiresAdminRoleAttribute(AdminRoles.SampleReader), new AuditedReadAttribute())
            .WithSummary("Claim up to 'max' samples for 'visibility_seconds', taking them from the built-in online evaluation; unacknowledged claims come back, and go to dead letters after too many attempts.");
        admin.MapPost("/samples/queue/ack", AckAsync).WithTags("Sample queue").Accepts<SampleQueueReceipt>("application/json").WithName("AckSample")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator))
            .WithSummary("Acknowledge a claimed sample (done).");
        admin.MapPost("/samples/queue/release", ReleaseAsync).WithTags("Sample queue").Accepts<SampleQueueReceipt>("application/json").WithName("ReleaseSample")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator))
            .WithSummary("Give a claimed sample back at once (not done; it counts as an attempt).");
        admin.MapGet("/samples/queue/dead", DeadAsync).WithTags("Sample queue").Produces<string[]>().WithName("DeadSamples")
            .WithSummary("Ids of dead-lettered samples.");
        admin.MapPost("/samples/queue/dead/requeue", RequeueAsync).WithTags("Sample queue").WithName("RequeueDeadSamples")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator))
            .WithSummary("Put dead-lettered samples back on the queue with fresh attempts.");
        return admin;
    }

    private static async Task<IResult> ListAsync(HttpContext http, SampleStore samples)
    {
        var (filter, error) = ReadFilter(http.Request.Query);
        if (error is not null)
        {
            return error;
        }

        if (!TryLimit(http.Request.Query["limit"], DefaultLimit, MaxLimit, out var limit))
        {
            return AdminResults.Invalid($"'limit' must be a number from 1 to {MaxLimit}.", "limit");
        }

        var cursor = http.Request.Query["cursor"].ToString();
        if (cursor.Length > 0 && !SampleIds.IsWellFormed(cursor))
        {
            return AdminResults.Invalid("'cursor' must be the next_cursor of a previous page.", "cursor");
        }

        var page = await samples.ListAsync(filter!, limit, cursor.Length > 0 ? cursor : null, http.RequestAborted);
        AuditDetail.Set(http, $"{Describe(http.Request.Query)}; returned {page.Samples.Count}");
        return Results.Json(page, GatewayJsonContext.Default.SamplePage);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, SampleStore samples)
    {
        var record = SampleIds.IsWellFormed(id) ? await samples.GetAsync(id) : null;
        AuditDetail.Set(http, record is null ? "returned 0" : "returned 1");
        return record is null
            ? AdminResults.NotFound("sample_not_found", $"No sample '{id}' (samples expire after the configured retention).", "id")
            : Results.Json(record, GatewayJsonContext.Default.SampleRecord);
    }

    private static async Task ExportAsync(HttpContext http, SampleStore samples)
    {
        var (filter, error) = ReadFilter(http.Request.Query);
        if (error is null && !TryLimit(http.Request.Query["limit"], DefaultExportLimit, MaxExportLimit, out _))
        {
            error = AdminResults.Invalid($"'limit' must be a number from 1 to {MaxExportLimit}.", "limit");
        }

        if (error is not null)
        {
            await error.ExecuteAsync(http);
            return;
        }

        TryLimit(http.Request.Query["limit"], DefaultExportLimit, MaxExportLimit, out var limit);
        http.Response.ContentType = "application/x-ndjson";
        var newline = "\n"u8.ToArray();
        var filterText = Describe(http.Request.Query);
        var exported = 0;
        var scan = new SampleExportScan();
        try
        {
            await foreach (var record in samples.ExportAsync(filter!, limit, scan, http.RequestAborted))
            {
                // One line at a time: an export of thousands of samples is never held in memory.
                await JsonSerializer.SerializeAsync(http.Response.Body, GoldenExample.From(record), GatewayJsonContext.Default.GoldenExample, http.RequestAborted);
                await http.Response.Body.WriteAsync(newline, http.RequestAborted);
                exported++;
            }
        }
        finally
        {
            // Also when the caller breaks off: the audit entry says how many lines were written.
            AuditDetail.Set(http, $"{filterText}; exported {exported}{(scan.NotReplayable > 0 ? $"; left out {scan.NotReplayable} that cannot be replayed" : "")}{(scan.NotWhole > 0 ? $"; left out {scan.NotWhole} whose answer is not whole" : "")}{(scan.LimitReached ? $"; stopped after reading {SampleStore.DefaultMaxScannedPerExport} ids" : "")}");
        }
    }

    /// <summary>The query a read used, for its audit entry: known parameters only, in a fixed order.</summary>
    private static string Describe(IQueryCollection query)
    {
        var text = new StringBuilder();
        foreach (var key in (string[])["prompt", "version", "variant", "model", "environment", "env", "from", "to", "limit", "cursor"])
        {
            if (Text(query[key]) is { } value)
            {
                text.Append(text.Length == 0 ? "" : " ").Append(key).Append('=').Append(value.Length <= 80 ? value : value[..80]);
            }
        }

        return text.Length == 0 ? "(no filter)" : text.ToString();
    }

    private static async Task<IResult> StatsAsync(SampleStore samples)
    {
        var stats = await samples.Queue.StatsAsync();
        return Results.Json(new SampleQueueStatus(SampleStore.QueueName, stats.Ready, stats.InFlight, stats.Dead), GatewayJsonContext.Default.SampleQueueStatus);
    }

    private static async Task<IResult> ClaimAsync(HttpContext http, SampleStore samples)
    {
        var query = http.Request.Query;
        if (!TryLimit(query["max"], 10, Sampling.Queue.WorkQueue.MaxClaimBatch, out var max))
        {
            return AdminResults.Invalid($"'max' must be a number from 1 to {Sampling.Queue.WorkQueue.MaxClaimBatch}.", "max");
        }

        TimeSpan? visibility = null;
        if (query["visibility_seconds"].ToString() is { Length: > 0 } seconds)
        {
            if (!int.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 86_400)
            {
                return AdminResults.Invalid("'visibility_seconds' must be a number from 1 to 86400.", "visibility_seconds");
            }

            visibility = TimeSpan.FromSeconds(value);
        }

        var claimed = await samples.Queue.ClaimAsync(max, visibility);
        var items = new List<SampleClaim>(claimed.Count);
        try
        {
            var reads = await samples.GetAsync(claimed.Select(c => c.Id).ToArray());
            var gone = new List<Sampling.Queue.ClaimedItem>();
            for (var i = 0; i < claimed.Count; i++)
            {
                var item = claimed[i];
                if (reads[i].Record is { } record)
                {
                    items.Add(new SampleClaim(item.Id, item.Receipt, item.Attempt, item.VisibleUntil, record));
                }
                else if (reads[i].Error is null)
                {
                    // A sample that expired while queued has nothing left to score: ack it away.
                    gone.Add(item);
                }
                else
                {
                    // Unreadable: back to the queue, and to the dead letters after its last attempt, as the evaluator does.
                    await samples.Queue.ReleaseAsync(item.Id, item.Receipt);
                }
            }

            await samples.Queue.AckAsync(gone);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The caller gets no receipts: the batch goes back now, as the built-in evaluator's does, instead of staying
            // hidden for the visibility window (up to a day) and charged an attempt. A timeout or a lost connection is the
            // store's failure, not the samples': their attempts are given back, or a brownout would dead-letter them.
            try
            {
                await samples.Queue.ReleaseAllAsync(claimed, refundAttempts: Sampling.Queue.WorkQueue.IsStoreFailure(ex));
            }
            catch (Exception release) when (release is RedisException or TimeoutException)
            {
                // Best effort: what could not go back lapses at the end of its visibility window, as before.
            }

            throw;
        }

        AuditDetail.Set(http, string.Create(CultureInfo.InvariantCulture, $"max={max}; claimed {items.Count}"));
        return Results.Json(new SampleClaimResponse(items), GatewayJsonContext.Default.SampleClaimResponse);
    }

    private static Task<IResult> AckAsync(HttpContext http, SampleStore samples) =>
        SettleAsync(http, (receipt) => samples.Queue.AckAsync(receipt.Id, receipt.Receipt));

    private static Task<IResult> ReleaseAsync(HttpContext http, SampleStore samples) =>
        SettleAsync(http, (receipt) => samples.Queue.ReleaseAsync(receipt.Id, receipt.Receipt));

    private static async Task<IResult> SettleAsync(HttpContext http, Func<SampleQueueReceipt, Task<bool>> settle)
    {
        var (receipt, error) = await AdminRequestBody.ReadAsync(http.Request, GatewayJsonContext.Default.SampleQueueReceipt, new SampleQueueReceipt("", ""));
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(receipt!.Id) || string.IsNullOrEmpty(receipt.Receipt))
        {
            return AdminResults.Invalid("'id' and 'receipt' are required: both come from the claim.", string.IsNullOrEmpty(receipt.Id) ? "id" : "receipt");
        }

        return await settle(receipt)
            ? Results.NoContent()
            : AdminResults.Error(StatusCodes.Status409Conflict, "invalid_request_error", "claim_lapsed", "This claim is no longer held (it timed out and was redelivered, or was already settled).", "receipt");
    }

    private static async Task<IResult> DeadAsync(HttpContext http, SampleStore samples)
    {
        if (!TryLimit(http.Request.Query["limit"], 100, MaxExportLimit, out var limit))
        {
            return AdminResults.Invalid($"'limit' must be a number from 1 to {MaxExportLimit}.", "limit");
        }

        return Results.Json((await samples.Queue.DeadLettersAsync(limit)).ToArray(), GatewayJsonContext.Default.StringArray);
    }

    private static async Task<IResult> RequeueAsync(HttpContext http, SampleStore samples)
    {
        if (!TryLimit(http.Request.Query["max"], 1000, MaxExportLimit, out var max))
        {
            return AdminResults.Invalid($"'max' must be a number from 1 to {MaxExportLimit}.", "max");
        }

        var moved = await samples.Queue.RequeueDeadAsync(max);
        return Results.Json(new SampleRequeueResponse(moved), GatewayJsonContext.Default.SampleRequeueResponse);
    }

    private static (SampleFilter? Filter, IResult? Error) ReadFilter(IQueryCollection query)
    {
        var prompt = Text(query["prompt"]);
        if (prompt is not null && !PromptNames.IsValid(prompt))
        {
            return (null, AdminResults.Invalid($"'prompt' must match {PromptNames.Pattern}.", "prompt"));
        }

        int? version = null;
        if (Text(query["version"]) is { } versionText)
        {
            if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < 1)
            {
                return (null, AdminResults.Invalid("'version' must be a version number.", "version"));
            }

            if (prompt is null)
            {
                return (null, AdminResults.Invalid("'version' needs 'prompt': versions are numbered per prompt.", "version"));
            }

            version = v;
        }

        var variant = Text(query["variant"]);
        if (variant is not null && variant is not (Variants.Stable or Variants.Canary or Variants.Pinned or Variants.Shadow))
        {
            return (null, AdminResults.Invalid($"'variant' must be {Variants.Stable}, {Variants.Canary}, {Variants.Pinned} or {Variants.Shadow}.", "variant"));
        }

        if (!TryTime(query["from"], out var from) || !TryTime(query["to"], out var to) || (from is not null && to is not null && to < from))
        {
            return (null, AdminResults.Invalid("'from' and 'to' must be ISO-8601 instants, with from ≤ to.", "from"));
        }

        return (new SampleFilter
        {
            Prompt = prompt,
            Version = version,
            Variant = variant,
            Model = Text(query["model"]),
            Environment = Text(query["environment"]) ?? Text(query["env"]),
            From = from,
            To = to,
        }, null);
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues value) => string.IsNullOrEmpty(value) ? null : value.ToString();

    private static bool TryLimit(Microsoft.Extensions.Primitives.StringValues value, int fallback, int max, out int limit)
    {
        if (string.IsNullOrEmpty(value))
        {
            limit = fallback;
            return true;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= max;
    }

    private static bool TryTime(Microsoft.Extensions.Primitives.StringValues value, out DateTimeOffset? result)
    {
        result = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            result = parsed;
            return true;
        }

        return false;
    }
}
