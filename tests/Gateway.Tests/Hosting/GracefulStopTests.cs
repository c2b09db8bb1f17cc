using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using LlmGateway.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Hosting;

/// <summary>
/// A gateway stopped right after serving (a rolling deploy) still writes the usage counts and the samples of every request
/// it served: the writers gather for up to a second before they write, and what they held when the host stopped was lost.
/// </summary>
public sealed class GracefulStopTests(TestEnvironment env)
{
    private const int Requests = 6;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stopped_gateway_writes_the_usage_and_samples_it_held()
    {
        var config = env.GatewaySettings();
        config["Redis:KeyPrefix"] = "gwstop-" + Guid.NewGuid().ToString("N")[..8];
        config["Gateway:Sampling:StableRate"] = "1";
        config["Gateway:OnlineEval:Enabled"] = "false";
        var name = Bundles.UniqueName("stop");
        var started = DateTimeOffset.UtcNow;

        var serving = await GatewayHost.StartAsync(config);
        await using (serving)
        {
            await PromptSetup.ReleaseAsync(serving, name, [PromptSetup.Bundle(name, 1)]);
            var chat = OpenAiClients.For(serving, await PromptSetup.KeyAsync(serving)).GetChatClient("prompt:" + name);
            for (var i = 0; i < Requests; i++)
            {
                var options = new ChatCompletionOptions();
                options.Patch.Set("$.prompt_variables.company"u8, "Acme");
                await chat.CompleteChatAsync([new UserChatMessage($"question {i}")], options, Ct);
            }
        }

        // Read back by another instance on the same store, after the first has stopped.
        await using var reader = await GatewayHost.StartAsync(config);
        var usage = await reader.GetRequiredService<UsageQuery>().RunAsync(
            UsageWindow.For(started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow), new Dictionary<string, string> { ["prompt"] = name }, [], TestContext.Current.CancellationToken);
        Assert.Equal(Requests, usage.Sum(row => row.Requests));

        var samples = await reader.GetRequiredService<SampleStore>().ListAsync(new SampleFilter { Prompt = name }, limit: 50, cursor: null, TestContext.Current.CancellationToken);
        Assert.Equal(Requests, samples.Samples.Count);
    }

    [Fact]
    public async Task A_stream_outliving_the_drain_is_cut_and_the_writers_still_flush_before_the_store_closes()
    {
        var config = env.GatewaySettings();
        config["Gateway:OnlineEval:Enabled"] = "false";
        config["Gateway:Shutdown:DrainTimeout"] = "00:00:01";
        var logs = new CapturingLoggerProvider();
        var gateway = await GatewayHost.StartAsync(config, builder => builder.Logging.AddProvider(logs));
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        try
        {
            var store = gateway.GetRequiredService<GatewayStore>();
            var (record, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("stop-drain", "test", []);
            var recorder = gateway.GetRequiredService<UsageRecorder>();
            var droppedBefore = recorder.Dropped;
            var writers = gateway.Services.GetServices<IHostedService>().OfType<BackgroundService>()
                .Where(s => s is UsageWriter or SampleWriter).ToList();
            Assert.Equal(2, writers.Count);

            // Served before the stop: its count sits in the usage writer until its last write.
            await OpenAiClients.For(gateway, secret).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("before the stop")], cancellationToken: Ct);

            // A stream the provider holds open past the drain (a long generation when the deploy comes).
            using var client = gateway.CreateClient(secret);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"a long answer"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add("x-mock-hold", hold);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            while (await stream.ReadLineAsync(Ct) is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
            {
            }

            // The drain is cut at its own bound, far inside the host's (30 s before: it took the whole of it, and the
            // services stopped after the server got a cancelled token).
            await gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15), Ct);

            // The services after the server had their own time: the writers finished their last writes before the store
            // closed, and nothing failed on a closed store.
            Assert.All(writers, w => Assert.True(w.ExecuteTask is { IsCompletedSuccessfully: true }, w.GetType().Name));
            Assert.Equal(droppedBefore, recorder.Dropped);
            Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
            Assert.Contains(logs.Lines, l => l.Category == "LlmGateway.Hosting.DrainBoundedServer" && l.Level == LogLevel.Warning);

            // A call that outlives the store anyway fails as the writers' catch filters expect (they name it), not as
            // "not started yet", which escaped them.
            Assert.Throws<ObjectDisposedException>(() => store.Database);

            var usage = await env.Gateway.GetRequiredService<UsageQuery>().RunAsync(
                UsageWindow.For(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow),
                new Dictionary<string, string> { ["key"] = record.Id, ["model"] = "gpt-4o-mini" }, [], Ct);
            Assert.Equal(1, usage.Sum(row => row.Requests));
        }
        finally
        {
            await gateway.DisposeAsync();
            using var mock = new HttpClient { BaseAddress = env.MockUrl };
            (await mock.PostAsync($"/mock/release/{hold}", null, Ct)).Dispose();
        }
    }

    [Fact]
    public async Task A_request_the_cut_drain_aborted_is_waited_for_while_it_unwinds_before_the_store_closes()
    {
        // The server waits about a second for the requests it aborts; one still filing its usage after that found the
        // writers and the store stopped under it (its record lost, an ObjectDisposedException logged).
        var config = env.GatewaySettings();
        config["Gateway:OnlineEval:Enabled"] = "false";
        config["Gateway:Shutdown:DrainTimeout"] = "00:00:01";
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        var unwound = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var serverStopped = new DrainCutSignal();
        var laterStop = new StopSignal();
        var gateway = await GatewayHost.StartAsync(config, builder =>
        {
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new SlowUnwind(unwound, serverStopped.Cut, laterStop.Stopping));
            // Registered before the server, so stopped after it, as the writers are.
            builder.Services.AddSingleton<IHostedService>(laterStop);
            builder.Logging.AddProvider(serverStopped);
        });
        try
        {
            var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("stop-unwind", "test", []);
            using var client = gateway.CreateClient(secret);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"a long answer"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add("x-mock-hold", hold);
            request.Headers.Add(SlowUnwind.Header, "1");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var stream = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            while (await stream.ReadLineAsync(Ct) is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
            {
            }

            await gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct);

            // Completed before the stop returned: the request's last step ran on a store still open.
            Assert.True(unwound.Task.IsCompleted, "the stop returned while the aborted request was still unwinding");
            Assert.Equal("written", await unwound.Task);
        }
        finally
        {
            await gateway.DisposeAsync();
            using var mock = new HttpClient { BaseAddress = env.MockUrl };
            (await mock.PostAsync($"/mock/release/{hold}", null, Ct)).Dispose();
        }
    }

    [Fact]
    public void The_unwind_wait_is_a_quarter_of_the_flush_at_most_five_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.5), LlmGateway.Hosting.DrainBoundedServer.UnwindWait(TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(5), LlmGateway.Hosting.DrainBoundedServer.UnwindWait(TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.Zero, LlmGateway.Hosting.DrainBoundedServer.UnwindWait(TimeSpan.Zero));
    }

    /// <summary>A hosted service whose stop only completes <see cref="Stopping"/>.</summary>
    private sealed class StopSignal : IHostedService
    {
        private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Stopping => _stopping.Task;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _stopping.TrySetResult();
            return Task.CompletedTask;
        }
    }

    /// <summary>Completes <see cref="Cut"/> when the drain-bounded server logs that it cut its drain (after the server stopped).</summary>
    private sealed class DrainCutSignal : ILoggerProvider
    {
        private readonly TaskCompletionSource _cut = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Cut => _cut.Task;

        public ILogger CreateLogger(string categoryName) => categoryName == typeof(LlmGateway.Hosting.DrainBoundedServer).FullName
            ? new Listener(_cut)
            : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Listener(TaskCompletionSource cut) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (eventId.Id == 9401)
                {
                    cut.TrySetResult();
                }
            }
        }
    }

    /// <summary>
    /// A request marked with <see cref="Header"/> is still unwinding once the server's own stop has returned (its last
    /// step waits for <paramref name="serverStopped"/>, the drain-cut warning logged after it), then writes to the store:
    /// its outcome ("written", or the exception's type) completes the given task.
    /// </summary>
    private sealed class SlowUnwind(TaskCompletionSource<string> unwound, Task serverStopped, Task laterStopping) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public const string Header = "X-Test-Slow-Unwind";

        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            Microsoft.AspNetCore.Builder.UseExtensions.Use(app, async (context, nextMiddleware) =>
            {
                if (!context.Request.Headers.ContainsKey(Header))
                {
                    await nextMiddleware(context);
                    return;
                }

                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    try
                    {
                        // Past the server's own wait for the requests it cut: what the stop did not wait for before. The
                        // services after the server must not have begun stopping under this request.
                        await serverStopped.WaitAsync(TimeSpan.FromSeconds(30));
                        var stopping = laterStopping.IsCompleted;
                        var store = context.RequestServices.GetRequiredService<GatewayStore>();
                        await store.Database.StringSetAsync("test:slow-unwind:" + Guid.NewGuid().ToString("N"), "1", TimeSpan.FromMinutes(1));
                        unwound.TrySetResult(stopping ? "written while the services after the server were stopping" : "written");
                    }
                    catch (Exception ex)
                    {
                        unwound.TrySetResult(ex.GetType().Name);
                    }
                }
            });
            next(app);
        };
    }

    [Fact]
    public async Task The_host_s_shutdown_timeout_is_the_drain_plus_the_flush_and_a_drain_of_nothing_fails_start_up()
    {
        // The host's own setting is replaced: the writers' time must not depend on it being left alone.
        var config = env.GatewaySettings();
        config["shutdownTimeoutSeconds"] = "5";
        await using (var gateway = await GatewayHost.StartAsync(config))
        {
            Assert.Equal(TimeSpan.FromSeconds(30), gateway.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout);
        }

        config["Gateway:Shutdown:DrainTimeout"] = "00:00:00";
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GatewayHost.StartAsync(config));
        Assert.Contains("DrainTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_stopping_with_its_store_gone_drops_what_it_held_counted_and_stops()
    {
        await using var outage = RelayedStore.Start();
        await using var gateway = await GatewayHost.StartAsync(outage.GatewaySettings(env));
        var recorder = gateway.GetRequiredService<SampleRecorder>();
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!gateway.GetRequiredService<GatewayStore>().IsConnected), TimeSpan.FromSeconds(5)));
        var droppedBefore = recorder.DroppedCount;

        // More than two of the writer's batches, queued just before the host stops.
        const int Held = 250;
        var body = System.Text.Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"held"}]}""");
        var response = System.Text.Encoding.UTF8.GetBytes("""{"choices":[{"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
        for (var i = 0; i < Held; i++)
        {
            var capture = SampleCaptures.Chat(body, response) with
            {
                Status = 200,
                ContentType = "application/json",
                QueuedBytes = SampleCapture.Cost(body.Length, 0, response.Length),
            };
            Assert.True(recorder.TryReserve(capture.QueuedBytes));
            recorder.Offer(capture);
        }

        await gateway.DisposeAsync();

        Assert.Equal(droppedBefore + Held, recorder.DroppedCount);
        Assert.Equal(0, recorder.QueuedBytes);
    }
}
