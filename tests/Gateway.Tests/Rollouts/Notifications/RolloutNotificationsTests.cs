using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmGateway.Health;
using LlmGateway.Rollouts.Notifications;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>
/// Rollout decision webhooks over real HTTP and a real store: a Kestrel receiver on a loopback port records what arrives
/// and answers as told; the outbox and the outcomes are in the test store. Waits are on signals (the receiver's first request, the notification counter's next measurement), bounded;
/// backoffs are Polly's own, 10 ms here.
/// </summary>
public sealed class RolloutNotificationsTests(TestEnvironment env)
{
    private const string Secret = "webhook-signing-secret-1";

    private static Dictionary<string, IDictionary<string, string?>> Webhook(WebhookReceiver receiver, string environment = "production", string? secret = null, int maxAttempts = 5, string timeout = "00:00:05") => new()
    {
        [environment] = new Dictionary<string, string?>
        {
            ["Url"] = receiver.Url.ToString(),
            ["Secret"] = secret,
            ["MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BaseDelay"] = "00:00:00.010",
            ["Timeout"] = timeout,
        },
    };

    [Fact]
    public async Task A_decision_is_posted_as_json_with_a_slack_text_line_and_a_signature_the_secret_verifies()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, secret: Secret));

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal("/hook?token=query-token-42", request.PathAndQuery);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), request.Body)), request.Signature);
        Assert.StartsWith("whk_", request.Id, StringComparison.Ordinal);
        Assert.Equal(request.Id, request.Delivery);

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(":rocket: summarize v3 in production — advance at step 2/4 (25%) — every metric is within its threshold", root.GetProperty("text").GetString());
        Assert.Equal("summarize", root.GetProperty("prompt").GetString());
        Assert.Equal("production", root.GetProperty("environment").GetString());
        Assert.Equal(3, root.GetProperty("candidate").GetInt32());
        Assert.Equal(2, root.GetProperty("baseline").GetInt32());
        Assert.Equal("advance", root.GetProperty("decision").GetString());
        Assert.Equal("running", root.GetProperty("status").GetString());
        Assert.Equal(2, root.GetProperty("step").GetInt32());
        Assert.Equal(4, root.GetProperty("steps").GetInt32());
        Assert.Equal(25, root.GetProperty("weight").GetDouble());
        Assert.Equal("every metric is within its threshold", root.GetProperty("reason").GetString());
        Assert.Equal(RolloutViews.At, root.GetProperty("at").GetDateTimeOffset());
        var evaluation = root.GetProperty("evaluation");
        Assert.Equal("advance", evaluation.GetProperty("decision").GetString());
        Assert.Equal("acceptable", evaluation.GetProperty("metrics")[0].GetProperty("verdict").GetString());
        Assert.Equal(HealthStatus.Healthy, (await harness.ReadinessAsync()).Status);
    }

    [Fact]
    public async Task A_webhook_post_makes_no_client_span_so_its_url_never_reaches_a_trace_backend()
    {
        // The gateway's tracing records HttpClient calls (AddHttpClientInstrumentation); a Slack-style hook's path is its secret.
        var spans = new ThreadSafeCollection<System.Diagnostics.Activity>();
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddHttpClientInstrumentation().AddInMemoryExporter(spans).Build();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver));
        var port = ":" + receiver.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/";
        bool Names(System.Diagnostics.Activity span) => span.TagObjects.Any(t => t.Value is string v && v.Contains(port, StringComparison.Ordinal));

        // The control: a plain call to the same receiver is traced, so the listener does see this port.
        using (var plain = new HttpClient())
        {
            using var response = await plain.GetAsync(receiver.Url, TestContext.Current.CancellationToken);
        }

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(spans.Snapshot().Any(Names)), TimeSpan.FromSeconds(10)));
        var before = spans.Snapshot().Count(Names);

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(before, spans.Snapshot().Count(Names));
    }

    [Fact]
    public async Task Without_a_secret_no_signature_is_sent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver));

        await harness.Notifier.NotifyAsync(RolloutViews.Aborted(), "abort");

        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        Assert.Null(Assert.Single(receiver.Requests).Signature);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_one_is_delivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail(times: 2, status: 500);
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, secret: Secret));

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        Assert.Equal([500, 500, 200], receiver.Requests.Select(r => r.AnsweredStatus));
        Assert.Single(receiver.Requests.Select(r => Convert.ToHexString(r.Body)).Distinct());
        Assert.Equal(HealthStatus.Healthy, (await harness.ReadinessAsync()).Status);
        Assert.Equal([("production", "delivered")], harness.Measurements);
    }

    [Fact]
    public async Task Too_many_requests_is_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail(times: 1, status: 429);
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver));

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        Assert.Equal([429, 200], receiver.Requests.Select(r => r.AnsweredStatus));
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail(times: 100, status: 400);
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver));

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "failed"), await harness.NextOutcomeAsync());
        Assert.Equal([400], receiver.Requests.Select(r => r.AnsweredStatus));
        var failure = (await harness.State.GetAsync("production"))!.LastFailure!;
        Assert.Equal("HTTP 400", failure.Reason);
        Assert.Equal(1, failure.Attempts);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hang(times: 1);
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, timeout: "00:00:00.200"));

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        Assert.Equal([0, 200], receiver.Requests.Select(r => r.AnsweredStatus));
    }

    [Fact]
    public async Task When_every_attempt_fails_readyz_is_degraded_for_that_environment_the_failure_is_counted_and_nothing_secret_is_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail(times: 3, status: 500);
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, secret: Secret, maxAttempts: 3));

        await harness.Notifier.NotifyAsync(RolloutViews.Paused(), "pause");

        Assert.Equal(("production", "failed"), await harness.NextOutcomeAsync());
        Assert.Equal([500, 500, 500], receiver.Requests.Select(r => r.AnsweredStatus));
        var readiness = await harness.ReadinessAsync();
        Assert.Equal(HealthStatus.Degraded, readiness.Status);
        var failure = Assert.IsType<string>(Assert.Single(readiness.Data, d => d.Key == "production").Value);
        Assert.StartsWith("HTTP 500 after 3 attempt(s) at ", failure, StringComparison.Ordinal);
        Assert.Contains("production", readiness.Description, StringComparison.Ordinal);
        Assert.Equal([("production", "failed")], harness.Measurements);

        var logs = harness.Logs.Lines;
        Assert.Contains(logs, l => l.Text.Contains("Rollout webhook for production (127.0.0.1:", StringComparison.Ordinal) && l.Text.Contains("failed", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Text.Contains(Secret, StringComparison.Ordinal) || l.Text.Contains("query-token-42", StringComparison.Ordinal) || l.Text.Contains("/hook", StringComparison.Ordinal));

        // The next delivery succeeds: ready again.
        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "resume");
        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        Assert.Equal(HealthStatus.Healthy, (await harness.ReadinessAsync()).Status);
        Assert.Equal("HTTP 500", (await harness.State.GetAsync("production"))!.LastFailure!.Reason);
    }

    [Fact]
    public async Task A_failure_recorded_at_another_url_does_not_degrade_the_webhook_configured_now()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver));

        // The last outcome failed at the URL the operator has since fixed (another fingerprint).
        await harness.State.FailedAsync("production", new RolloutWebhookFailure(DateTimeOffset.UtcNow, "HTTP 404", 5, "0123456789ABCDEF"));
        var afterTheFix = await harness.ReadinessAsync();

        // One stored before targets were kept still counts.
        await harness.State.FailedAsync("production", new RolloutWebhookFailure(DateTimeOffset.UtcNow, "HTTP 404", 5));
        var unknownTarget = await harness.ReadinessAsync();

        Assert.Equal(HealthStatus.Healthy, afterTheFix.Status);
        Assert.Equal(HealthStatus.Degraded, unknownTarget.Status);
    }

    [Fact]
    public async Task A_connection_error_is_retried_then_reported_by_its_kind()
    {
        int port;
        await using (var closed = await WebhookReceiver.StartAsync())
        {
            port = closed.Url.Port;
        }

        var webhooks = new Dictionary<string, IDictionary<string, string?>>
        {
            ["production"] = new Dictionary<string, string?> { ["Url"] = $"http://127.0.0.1:{port}/hook", ["MaxAttempts"] = "2", ["BaseDelay"] = "00:00:00.010" },
        };
        await using var harness = await RolloutWebhookHarness.StartAsync(env, webhooks);

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");

        Assert.Equal(("production", "failed"), await harness.NextOutcomeAsync());
        var failure = (await harness.State.GetAsync("production"))!.LastFailure!;
        Assert.StartsWith("HttpRequestException", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(2, failure.Attempts);
    }

    [Fact]
    public async Task An_environment_without_a_webhook_sends_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver));

        await harness.Notifier.NotifyAsync(RolloutViews.Running("staging"), "advance");
        await harness.Notifier.NotifyAsync(RolloutViews.Running("production"), "advance");

        // Queues are per environment and staging has none: the production delivery is the only thing that ever happens.
        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
        var request = Assert.Single(receiver.Requests);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("production", body.RootElement.GetProperty("environment").GetString());
        Assert.DoesNotContain(harness.Measurements, m => m.Environment == "staging");
    }

    [Fact]
    public async Task Without_any_webhook_readyz_is_healthy_and_decisions_are_dropped_silently()
    {
        await using var harness = await RolloutWebhookHarness.StartAsync(env, new Dictionary<string, IDictionary<string, string?>>());

        var notified = harness.Notifier.NotifyAsync(RolloutViews.Aborted(), "abort");

        Assert.True(notified.IsCompletedSuccessfully);
        Assert.IsType<WebhookRolloutNotifier>(harness.Notifier);
        var readiness = await harness.ReadinessAsync();
        Assert.Equal(HealthStatus.Healthy, readiness.Status);
        Assert.Empty(readiness.Data);
        Assert.Empty(harness.Measurements);
    }

    [Fact]
    public async Task The_check_is_a_readyz_check_that_can_only_degrade()
    {
        await using var harness = await RolloutWebhookHarness.StartAsync(env, new Dictionary<string, IDictionary<string, string?>>());

        var registration = Assert.Single(
            harness.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations,
            r => r.Name == RolloutWebhooksHealthCheck.Name);
        Assert.Contains(HealthEndpoints.ReadyTag, registration.Tags);
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);
    }

    [Fact]
    public async Task NotifyAsync_does_not_wait_for_a_hanging_receiver_and_a_full_outbox_drops_the_oldest()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.HoldAll();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, timeout: "00:01:00"));

        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance").WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await receiver.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The first is in flight and held, still in the outbox (it leaves when delivered): 999 more fill it, the next drops the oldest.
        for (var i = 0; i < RolloutWebhookTarget.QueueCapacity; i++)
        {
            await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance").WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        Assert.Equal([("production", "dropped")], harness.Measurements);
        Assert.Equal(("production", "dropped"), await harness.NextOutcomeAsync());
        Assert.Single(receiver.Requests);
        Assert.Equal(RolloutWebhookTarget.QueueCapacity, await harness.Store.Database.ListLengthAsync(harness.Store.Keys.RolloutWebhookOutbox("production")));
        Assert.Contains(harness.Logs.Lines, l => l.Text.Contains("outbox for production is full: dropped the oldest notification (advance of summarize)", StringComparison.Ordinal));

        receiver.Release();
        Assert.Equal(("production", "delivered"), await harness.NextOutcomeAsync());
    }

    [Fact]
    public async Task A_notification_cut_by_a_stopping_instance_stays_queued_and_the_next_instance_sends_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.HoldAll();
        var prefix = RolloutWebhookHarness.NewKeyPrefix(env);
        var first = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, timeout: "00:01:00"), prefix);
        await first.Notifier.NotifyAsync(RolloutViews.Aborted(), "abort");
        await receiver.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // Stopped mid-delivery: the post is cut, the notification stays in the outbox and the sender's lease is given up.
        await first.DisposeAsync();
        receiver.Release();
        await using var second = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver), prefix);

        Assert.Equal(("production", "delivered"), await second.NextOutcomeAsync());
        var requests = receiver.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Id, requests[1].Id);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.Equal("abort", JsonDocument.Parse(requests[1].Body).RootElement.GetProperty("decision").GetString());
        Assert.Equal(0, await second.Store.Database.ListLengthAsync(second.Store.Keys.RolloutWebhookOutbox("production")));
    }

    [Fact]
    public async Task A_sender_that_loses_its_lease_mid_delivery_stops_and_leaves_the_notification_to_the_holder()
    {
        // As after a store failover that lost the lease, or an outage longer than its time-to-live: another instance
        // holds it and sends from the outbox, so this one must send nothing more (a late post would arrive out of order).
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(RolloutViews.At);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.HoldAll();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, timeout: "00:01:00"), time: clock);
        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");
        await receiver.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await harness.Store.Database.StringSetAsync(harness.Store.Keys.RolloutWebhookSenderLease("production"), "another-instance", TimeSpan.FromMinutes(5));
        clock.Advance(RolloutWebhookSender.LeaseTtl / 3);

        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(harness.Logs.Lines.Any(l => l.Text.Contains("lost the sender lease while sending advance of summarize", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30)));
        Assert.Empty(harness.Measurements);
        Assert.Equal(1, await harness.Store.Database.ListLengthAsync(harness.Store.Keys.RolloutWebhookOutbox("production")));
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_delivery_stops_before_its_lease_runs_out_while_the_store_takes_no_renewal()
    {
        // The store unreachable mid-delivery: the lease will run out there after its time-to-live, and another instance
        // may then send; this one stops a couple of seconds before, whatever the store does.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(RolloutViews.At);
        await using var relayed = RelayedStore.Start();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.HoldAll();
        await using var harness = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver, timeout: "00:01:00"), time: clock, storeConfiguration: relayed.Configuration);
        await harness.Notifier.NotifyAsync(RolloutViews.Running(), "advance");
        await receiver.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        relayed.Relay.Cut();
        clock.Advance(RolloutWebhookSender.LeaseTtl / 3);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Text.Contains("lost the sender lease", StringComparison.Ordinal));
        clock.Advance(RolloutWebhookSender.LeaseTtl - (RolloutWebhookSender.LeaseTtl / 3));

        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(harness.Logs.Lines.Any(l => l.Text.Contains("lost the sender lease while sending advance of summarize", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30)));
        Assert.Empty(harness.Measurements);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task Two_instances_send_every_notification_either_queued_once_and_in_the_order_queued()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var prefix = RolloutWebhookHarness.NewKeyPrefix(env);
        await using var one = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver), prefix);
        await using var two = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver), prefix);

        for (var i = 0; i < 10; i++)
        {
            await (i % 2 == 0 ? one : two).Notifier.NotifyAsync(RolloutViews.Running() with { Step = i }, "advance");
        }

        var outbox = one.Store.Keys.RolloutWebhookOutbox("production");
        Assert.True(await Eventually.TrueAsync(
            async () => await one.Store.Database.ListLengthAsync(outbox) == 0 && one.Measurements.Count + two.Measurements.Count == 10,
            TimeSpan.FromSeconds(30)));
        var requests = receiver.Requests;
        Assert.Equal(10, requests.Count);
        Assert.Equal(10, requests.Select(r => r.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 10), requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("step").GetInt32()));
        Assert.All(one.Measurements.Concat(two.Measurements), m => Assert.Equal(("production", "delivered"), m));
    }

    [Fact]
    public async Task A_failure_one_instance_saw_degrades_every_instances_readyz()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Fail(times: 100, status: 400);
        var prefix = RolloutWebhookHarness.NewKeyPrefix(env);
        await using var sender = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver), prefix);
        await sender.Notifier.NotifyAsync(RolloutViews.Running(), "advance");
        Assert.Equal(("production", "failed"), await sender.NextOutcomeAsync());

        // Another instance, which sent nothing.
        await using var other = await RolloutWebhookHarness.StartAsync(env, Webhook(receiver), prefix);
        var readiness = await other.ReadinessAsync();

        Assert.Equal(HealthStatus.Degraded, readiness.Status);
        Assert.StartsWith("HTTP 400 after 1 attempt(s) at ", Assert.IsType<string>(readiness.Data["production"]), StringComparison.Ordinal);
        Assert.Empty(other.Measurements);
    }
}
