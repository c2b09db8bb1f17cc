using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Sampling;
using LlmGateway.Tests.Infrastructure;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Sampling;

/// <summary>Sampling end to end: through the OpenAI SDK, the real gateway and store, read back over the admin API.</summary>
public sealed class SamplingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_forced_streamed_prompt_request_is_stored_redacted_with_its_response_reassembled_exactly()
    {
        var name = "smp-forced-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "debug");
        var chat = OpenAiClients.For(env.Gateway, key, ("X-Gateway-Sample", "true"), ("x-mock-chunks", "6")).GetChatClient("prompt:" + name);
        var options = new ChatCompletionOptions();
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");

        var received = new StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Mail me at jane.doe@example.com, card 4111 1111 1111 1111")], options, Ct))
        {
            foreach (var part in update.ContentUpdate)
            {
                received.Append(part.Text);
            }
        }

        var listed = Assert.Single(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1));
        var sample = await SampleWaiter.GetAsync(env.Gateway, listed.GetProperty("id").GetString()!);
        var raw = sample.GetRawText();

        Assert.Equal("forced", sample.GetProperty("reason").GetString());
        Assert.Equal(1, sample.GetProperty("version").GetInt32());
        Assert.Equal("stable", sample.GetProperty("variant").GetString());
        Assert.Equal(PromptSetup.Environment, sample.GetProperty("environment").GetString());
        Assert.Equal("gpt-4o-mini", sample.GetProperty("model").GetString());
        Assert.StartsWith("key_", sample.GetProperty("key_id").GetString(), StringComparison.Ordinal);

        var response = sample.GetProperty("response");
        Assert.True(received.Length > 0);
        // The mock echoes the messages, so the reply carries the same secrets: redacted there too.
        var expected = received.ToString().Replace("jane.doe@example.com", "[REDACTED:email]", StringComparison.Ordinal).Replace("4111 1111 1111 1111", "[REDACTED:card]", StringComparison.Ordinal);
        Assert.NotEqual(received.ToString(), expected);
        Assert.Equal(expected, response.GetProperty("text").GetString());
        Assert.True(response.GetProperty("streamed").GetBoolean());
        Assert.True(response.GetProperty("complete").GetBoolean());
        Assert.Equal("stop", response.GetProperty("finish_reason").GetString());
        Assert.Equal(200, response.GetProperty("status").GetInt32());

        // The rendered upstream request, with the template applied; the app's own input beside it.
        var upstream = sample.GetProperty("request").GetProperty("messages");
        Assert.Equal("v1 for Acme", upstream[0].GetProperty("content").GetString());
        Assert.Equal("Acme", sample.GetProperty("input").GetProperty("variables").GetProperty("company").GetString());
        Assert.Equal("user", sample.GetProperty("input").GetProperty("messages")[0].GetProperty("role").GetString());

        var usage = sample.GetProperty("usage");
        Assert.True(usage.GetProperty("output_tokens").GetInt64() > 0);
        Assert.Equal("reported", usage.GetProperty("source").GetString());
        Assert.True(usage.GetProperty("cost_usd").GetDecimal() > 0);
        Assert.True(sample.GetProperty("latency_ms").GetDouble() > 0);

        // In the upstream request, the app's input and the reply: three of each.
        Assert.Equal(3, sample.GetProperty("redactions").GetProperty("email").GetInt32());
        Assert.Equal(3, sample.GetProperty("redactions").GetProperty("card").GetInt32());
        Assert.DoesNotContain("jane.doe@example.com", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111 1111 1111", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(key, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(TestEnvironment.ProviderKey, raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_the_user_stopped_after_its_first_words_is_stored_as_stopped_by_the_user_not_failed()
    {
        // The client leaves mid-answer (the SDK's enumeration is abandoned after the first words, closing the stream):
        // the sample says so, and the scorer reads it as no error of the version.
        var name = "smp-stopped-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "debug");
        var chat = OpenAiClients.For(env.Gateway, key, ("X-Gateway-Sample", "true"), ("x-mock-chunks", "40"), ("x-mock-chunk-delay-ms", "100")).GetChatClient("prompt:" + name);
        var options = new ChatCompletionOptions();
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Tell me a long story")], options, Ct))
        {
            if (update.ContentUpdate.Count > 0 && !string.IsNullOrEmpty(update.ContentUpdate[0].Text))
            {
                break;
            }
        }

        var listed = Assert.Single(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1));
        var response = (await SampleWaiter.GetAsync(env.Gateway, listed.GetProperty("id").GetString()!)).GetProperty("response");
        Assert.True(response.GetProperty("client_stopped").GetBoolean(), response.ToString());
        Assert.False(response.GetProperty("complete").GetBoolean());
        Assert.False(string.IsNullOrEmpty(response.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task A_stream_the_client_gave_up_on_during_a_stall_is_not_a_users_stop()
    {
        // The first words, then the provider falls silent; the client's own read timeout hangs up 4 s into the silence:
        // that is the version's stall (an error of its), not a user pressing stop.
        var name = "smp-stalled-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "debug");
        var chat = OpenAiClients.For(env.Gateway, key, ("X-Gateway-Sample", "true"), ("x-mock-chunks", "2"), ("x-mock-chunk-delay-ms", "8000")).GetChatClient("prompt:" + name);
        var options = new ChatCompletionOptions();
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Tell me a story")], options, readTimeout.Token))
            {
                if (update.ContentUpdate.Count > 0 && !string.IsNullOrEmpty(update.ContentUpdate[0].Text))
                {
                    // The next words are 8 s away: the client gives up after 4.
                    readTimeout.CancelAfter(TimeSpan.FromSeconds(4));
                }
            }
        });

        var listed = Assert.Single(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1));
        var response = (await SampleWaiter.GetAsync(env.Gateway, listed.GetProperty("id").GetString()!)).GetProperty("response");
        Assert.False(response.GetProperty("client_stopped").GetBoolean(), response.ToString());
        Assert.False(response.GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task The_force_header_is_ignored_without_the_debug_permission()
    {
        var name = "smp-nodebug-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        // No stable-arm rate, so only an honoured force header samples: the rate's draw is the gateway's, whatever the request id.
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PutAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling", """{"sampling":{"stable":0}}""")).Expect(HttpStatusCode.OK);
        await WaitForSamplingPolicyAsync(name);
        var plainKey = await PromptSetup.KeyAsync(env.Gateway);
        var debugKey = await PromptSetup.KeyAsync(env.Gateway, "debug");

        await SendAsync(plainKey, name, ("X-Gateway-Sample", "true"), ("X-Request-Id", "req-not-sampled-0"));
        await SendAsync(debugKey, name, ("X-Gateway-Sample", "true"));

        // The writer is first-in first-out: once the later forced sample is stored, the earlier would be too.
        var samples = await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1);
        Assert.Single(samples);
        Assert.NotEqual("req-not-sampled-0", (await SampleWaiter.GetAsync(env.Gateway, samples[0].GetProperty("id").GetString()!)).GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task A_release_sampling_policy_samples_each_arm_at_its_own_rate_and_is_listed_by_arm()
    {
        var name = "smp-arms-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)], canaryVersion: 2, canaryWeight: 5000);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var set = (await operatorClient.PutAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling", """{"sampling":{"stable":0,"canary":1},"reason":"watch the canary"}"""))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(1, set.Json.GetProperty("sampling").GetProperty("canary").GetDouble());
        await WaitForSamplingPolicyAsync(name);

        var key = await PromptSetup.KeyAsync(env.Gateway);
        var canaryRequests = 0;
        for (var i = 0; i < 20; i++)
        {
            using var response = await SendAsync(key, name, ("X-Session-Id", $"user-{i}"));
            canaryRequests += response.Headers.GetValues("X-Prompt-Variant").Single() == "canary" ? 1 : 0;
        }

        Assert.InRange(canaryRequests, 1, 19);
        await DrainAsync(name);
        var all = Unforced(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", canaryRequests + 1));
        var canary = Unforced(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}&version=2&variant=canary", 0));

        Assert.Equal(canaryRequests, canary.Length);
        Assert.Equal(canaryRequests, all.Length);
        Assert.All(all, s => Assert.Equal("canary", s.GetProperty("variant").GetString()));
        Assert.Empty(Unforced(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}&variant=stable", 0)));
    }

    [Fact]
    public async Task The_hourly_floor_samples_an_arm_whose_rate_yields_nothing_at_its_pace()
    {
        var name = "smp-floor-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PutAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling", """{"sampling":{"stable":0,"floor_per_hour":3}}""")).Expect(HttpStatusCode.OK);
        await WaitForSamplingPolicyAsync(name);

        var key = await PromptSetup.KeyAsync(env.Gateway);
        for (var i = 0; i < 8; i++)
        {
            using var _ = await SendAsync(key, name);
        }

        // 3 an hour is one slot every 20 minutes, and a new arm starts with one: these seconds get exactly one.
        await DrainAsync(name);
        var samples = Unforced(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1));
        var sample = Assert.Single(samples);
        Assert.Equal("floor", sample.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Listing_pages_with_a_cursor_and_export_writes_the_golden_dataset_format()
    {
        var name = "smp-page-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "debug");
        for (var i = 0; i < 5; i++)
        {
            using var _ = await SendAsync(key, name, ("X-Gateway-Sample", "1"), ("x-mock-reply", $"answer {i}"));
        }

        var all = await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 5);
        using var admin = new AdminClient(env.Gateway, TestEnvironment.SampleReaderToken);
        var first = (await admin.GetAsync($"/admin/v1/samples?prompt={name}&limit=2")).Expect(HttpStatusCode.OK).Json;
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = (await admin.GetAsync($"/admin/v1/samples?prompt={name}&limit=10&cursor={cursor}")).Expect(HttpStatusCode.OK).Json;
        var paged = first.GetProperty("samples").EnumerateArray().Concat(second.GetProperty("samples").EnumerateArray()).Select(s => s.GetProperty("id").GetString()).ToList();

        Assert.Equal(all.Select(s => s.GetProperty("id").GetString()), paged);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Equal(paged.OrderDescending(StringComparer.Ordinal), paged);

        using var http = env.Gateway.CreateClient(TestEnvironment.SampleReaderToken);
        using var export = await http.GetAsync($"/admin/v1/samples/export?prompt={name}", Ct);
        Assert.Equal("application/x-ndjson", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        var replies = lines.Select(line => JsonDocument.Parse(line).RootElement).Select(example =>
        {
            Assert.Equal("Acme", example.GetProperty("input").GetProperty("variables").GetProperty("company").GetString());
            Assert.Equal(name, example.GetProperty("metadata").GetProperty("prompt").GetString());
            Assert.Equal(1, example.GetProperty("metadata").GetProperty("version").GetInt32());
            return example.GetProperty("output").GetProperty("text").GetString();
        });
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"answer {i}").Order(), replies.Order());
    }

    [Fact]
    public async Task Sample_queries_with_bad_filters_or_unknown_ids_get_openai_shaped_errors()
    {
        using var admin = new AdminClient(env.Gateway, TestEnvironment.SampleReaderToken);

        Assert.Equal("invalid_value", (await admin.GetAsync("/admin/v1/samples?variant=blue")).Expect(HttpStatusCode.BadRequest).ErrorCode ?? "invalid_value");
        Assert.Equal("version", (await admin.GetAsync("/admin/v1/samples?version=2")).Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("limit", (await admin.GetAsync("/admin/v1/samples?limit=0")).Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("cursor", (await admin.GetAsync("/admin/v1/samples?cursor=nope")).Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("from", (await admin.GetAsync("/admin/v1/samples?from=yesterday")).Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("sample_not_found", (await admin.GetAsync("/admin/v1/samples/smp_000000000000aaaaaaaaaa")).Expect(HttpStatusCode.NotFound).ErrorCode);
        Assert.Equal("sample_not_found", (await admin.GetAsync("/admin/v1/samples/not-an-id")).Expect(HttpStatusCode.NotFound).ErrorCode);

        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var badPolicy = await operatorClient.PutAsync("/admin/v1/prompts/anything/releases/staging/sampling", """{"sampling":{"canary":1.5}}""");
        Assert.Equal("sampling.canary", badPolicy.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_sampling_change_must_say_what_the_policy_is_and_null_alone_restores_the_defaults()
    {
        var name = "smp-reset-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var path = $"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling";
        (await operatorClient.PutAsync(path, """{"sampling":{"stable":0.25,"floor_per_hour":7}}""")).Expect(HttpStatusCode.OK);

        // An empty body, an empty object or a body with only a reason used to read as "sampling": null and undo the policy.
        foreach (var body in new string?[] { null, "", "{}", """{"reason":"forgot the policy"}""" })
        {
            var refused = (await operatorClient.PutAsync(path, body)).Expect(HttpStatusCode.BadRequest);
            Assert.Equal("sampling", refused.Json.GetProperty("error").GetProperty("param").GetString());
            Assert.DoesNotContain("LlmGateway", refused.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var kept = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(0.25, kept.GetProperty("sampling").GetProperty("stable").GetDouble());
        Assert.Equal(7, kept.GetProperty("sampling").GetProperty("floor_per_hour").GetInt32());

        var reset = (await operatorClient.PutAsync(path, """{"sampling":null,"reason":"back to the defaults"}""")).Expect(HttpStatusCode.OK).Json;
        Assert.True(!reset.TryGetProperty("sampling", out var none) || none.ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Claimed_samples_are_acked_once_and_a_stale_receipt_is_refused()
    {
        var name = "smp-queue-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "debug");
        using (await SendAsync(key, name, ("X-Gateway-Sample", "true")))
        {
        }

        var id = Assert.Single(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}", 1)).GetProperty("id").GetString();
        // A claim hands out the samples' content (a sample-reader's read) and takes them from the built-in evaluation
        // (an operator's act): it needs both roles.
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        Assert.Equal("missing_role", (await operatorClient.PostAsync("/admin/v1/samples/queue/claim?max=1")).Expect(HttpStatusCode.Forbidden).ErrorCode);
        using var reader = new AdminClient(env.Gateway, TestEnvironment.SampleReaderToken);
        Assert.Equal("missing_role", (await reader.PostAsync("/admin/v1/samples/queue/claim?max=1")).Expect(HttpStatusCode.Forbidden).ErrorCode);
        using var admin = new AdminClient(env.Gateway, TestEnvironment.AdminToken);

        // Other tests queue samples too: claim until ours comes out, giving the others back (settling is an operator's).
        JsonElement? ours = null;
        for (var round = 0; round < 20 && ours is null; round++)
        {
            var claimed = (await admin.PostAsync("/admin/v1/samples/queue/claim?max=1000&visibility_seconds=60")).Expect(HttpStatusCode.OK).Json.GetProperty("items");
            foreach (var item in claimed.EnumerateArray())
            {
                if (item.GetProperty("id").GetString() == id)
                {
                    ours = item;
                }
                else
                {
                    await operatorClient.PostAsync("/admin/v1/samples/queue/release", Receipt(item));
                }
            }
        }

        Assert.NotNull(ours);
        Assert.Equal(name, ours.Value.GetProperty("sample").GetProperty("prompt").GetString());
        Assert.Equal(1, ours.Value.GetProperty("attempt").GetInt32());
        Assert.Equal("missing_role", (await reader.PostAsync("/admin/v1/samples/queue/ack", Receipt(ours.Value))).Expect(HttpStatusCode.Forbidden).ErrorCode);
        (await operatorClient.PostAsync("/admin/v1/samples/queue/ack", Receipt(ours.Value))).Expect(HttpStatusCode.NoContent);
        Assert.Equal("claim_lapsed", (await operatorClient.PostAsync("/admin/v1/samples/queue/ack", Receipt(ours.Value))).Expect(HttpStatusCode.Conflict).ErrorCode);

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        (await viewer.PostAsync("/admin/v1/samples/queue/claim")).Expect(HttpStatusCode.Forbidden);
        var stats = (await viewer.GetAsync("/admin/v1/samples/queue")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("samples", stats.GetProperty("queue").GetString());
    }

    [Fact]
    public async Task A_claim_the_store_fails_after_hands_its_batch_back_with_the_attempts_refunded()
    {
        // The caller got no receipts: the batch stayed hidden for its visibility window (up to a day) and was charged
        // an attempt, so a few brownouts dead-lettered samples nothing was wrong with.
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-claim-" + Guid.NewGuid().ToString("N")[..8];
        settings["Gateway:OnlineEval:Enabled"] = "false";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var samples = gateway.GetRequiredService<SampleStore>();
        var at = DateTimeOffset.UtcNow;
        var record = new SampleRecord
        {
            Id = SampleIds.New(at),
            RequestId = "req-claim",
            Timestamp = at,
            Reason = SampleReasons.Rate,
            Model = "gpt-4o-mini",
            Provider = "mock",
            KeyId = "key",
            Endpoint = "/v1/chat/completions",
            Input = new SampleInput { Messages = System.Text.Json.Nodes.JsonNode.Parse("""[{"role":"user","content":"hi"}]""") },
            Response = new SampleResponse { Status = 200, Text = "ok", Complete = true },
        };
        await samples.WriteAsync([new SerializedSample(record, SampleSizeCap.Serialize(record))]);
        await samples.Queue.EnqueueAsync([record.Id]);
        var failures = 1;
        samples.BeforeRead = () => Interlocked.Decrement(ref failures) >= 0
            ? throw new StackExchange.Redis.RedisTimeoutException(StackExchange.Redis.CommandFlags.None, "The store did not answer (test).", StackExchange.Redis.CommandStatus.Sent)
            : Task.CompletedTask;
        using var admin = new AdminClient(gateway, TestEnvironment.AdminToken);

        var failed = await admin.PostAsync("/admin/v1/samples/queue/claim?max=10&visibility_seconds=86400");

        Assert.True((int)failed.Status >= 500, failed.Status.ToString());
        Assert.Equal(new LlmGateway.Sampling.Queue.QueueStats(1, 0, 0), await samples.Queue.StatsAsync());
        var again = (await admin.PostAsync("/admin/v1/samples/queue/claim?max=10")).Expect(HttpStatusCode.OK).Json.GetProperty("items");
        var item = Assert.Single(again.EnumerateArray());
        Assert.Equal((record.Id, 1), (item.GetProperty("id").GetString(), item.GetProperty("attempt").GetInt32()));
    }

    private static string Receipt(JsonElement item) =>
        JsonSerializer.Serialize(new { id = item.GetProperty("id").GetString(), receipt = item.GetProperty("receipt").GetString() });

    private async Task WaitForSamplingPolicyAsync(string name)
    {
        using var admin = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        Assert.True(await Eventually.TrueAsync(
            async () => (await admin.GetAsync("/admin/v1/instance/releases")).Json.GetProperty("releases").EnumerateArray().Any(r =>
                r.GetProperty("prompt").GetString() == name && r.TryGetProperty("sampling", out var sampling) && sampling.ValueKind == JsonValueKind.Object),
            TimeSpan.FromSeconds(2)));
    }

    /// <summary>
    /// Waits until the sample writer has stored everything offered before now: it is first-in first-out, so once a
    /// forced sample sent after the test's requests is listed, theirs are stored too. A signal, not a sleep.
    /// </summary>
    private async Task DrainAsync(string prompt)
    {
        var debugKey = await PromptSetup.KeyAsync(env.Gateway, "debug");
        using var _ = await SendAsync(debugKey, prompt, ("X-Gateway-Sample", "true"));
        await Eventually.ResultAsync(
            () => SampleWaiter.ListAsync(env.Gateway, $"prompt={prompt}", 0),
            samples => samples.Any(s => s.GetProperty("reason").GetString() == SampleReasons.Forced),
            TimeSpan.FromSeconds(5));
    }

    private static JsonElement[] Unforced(JsonElement[] samples) =>
        [.. samples.Where(s => s.GetProperty("reason").GetString() != SampleReasons.Forced)];

    private async Task<HttpResponseMessage> SendAsync(string key, string prompt, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$$"""{"model":"prompt:{{{prompt}}}","messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
