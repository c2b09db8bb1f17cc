using System.Collections.Concurrent;
using System.Text;
using LlmGateway.Hosting;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Hosting;

/// <summary>
/// A request run in process (<see cref="InProcessApplication"/>) against a real Kestrel host of the test's own: it goes
/// through the whole middleware pipeline the server runs, with a server's response lifecycle (OnStarting before the
/// first byte, OnCompleted after the end, a 500 for a failure before the answer started), and only while the server runs.
/// </summary>
public sealed class InProcessApplicationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Nothing_runs_before_the_server_starts_or_after_the_host_is_disposed()
    {
        var seen = new ConcurrentQueue<string>();
        var app = Build(seen);
        var local = app.Services.GetRequiredService<InProcessApplication>();

        using (var early = Exchange("/echo", "x"u8.ToArray(), Ct))
        {
            Assert.False(local.IsRunning);
            Assert.False(await local.SendAsync(early));
        }

        await app.StartAsync(Ct);
        using (var running = Exchange("/echo", "x"u8.ToArray(), Ct))
        {
            Assert.True(local.IsRunning);
            Assert.True(await local.SendAsync(running));
            Assert.Equal(StatusCodes.Status200OK, running.StatusCode);
        }

        // Stopped, the server listens no more, but the pipeline still serves what its drain left to do.
        await app.StopAsync(Ct);
        using (var draining = Exchange("/echo", "x"u8.ToArray(), Ct))
        {
            Assert.True(await local.SendAsync(draining));
            Assert.Equal(StatusCodes.Status200OK, draining.StatusCode);
        }

        await app.DisposeAsync();
        using var late = Exchange("/echo", "x"u8.ToArray(), Ct);
        Assert.False(local.IsRunning);
        Assert.False(await local.SendAsync(late));
        Assert.Equal(2, seen.Count(s => s.StartsWith("echo ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_request_goes_through_the_pipeline_with_its_host_headers_and_body_and_a_servers_lifecycle()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = Build(seen);
        await app.StartAsync(Ct);
        using var exchange = Exchange("/echo", "hello body"u8.ToArray(), Ct);

        Assert.True(await app.Services.GetRequiredService<InProcessApplication>().SendAsync(exchange));

        Assert.Equal(StatusCodes.Status200OK, exchange.StatusCode);
        Assert.True(exchange.HasStarted);
        // The answer's bytes are thrown away: only an error's head is kept.
        Assert.Equal("", exchange.ErrorHead);
        Assert.Equal("yes", exchange.Headers["X-Started"].ToString());
        Assert.Equal(
            [
                "middleware in",
                "echo POST /echo host=gateway.example remote=127.0.0.1 trace=abc content-length=10 body=hello body",
                "on-starting",
                "middleware out",
                "on-completed",
            ],
            seen);
    }

    [Fact]
    public async Task An_error_answer_keeps_its_first_4_KB_and_a_failure_before_the_answer_is_a_500_without_OnStarting()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = Build(seen);
        await app.StartAsync(Ct);
        var local = app.Services.GetRequiredService<InProcessApplication>();

        using var refused = Exchange("/refuse", [], Ct);
        Assert.True(await local.SendAsync(refused));
        Assert.Equal(StatusCodes.Status429TooManyRequests, refused.StatusCode);
        Assert.Equal(InProcessExchange.KeptErrorBytes, refused.ErrorHead.Length);
        Assert.StartsWith("{\"error\":\"budget_exceeded\"}", refused.ErrorHead, StringComparison.Ordinal);
        Assert.Null(refused.Failure);

        seen.Clear();
        using var thrown = Exchange("/throw", [], Ct);
        Assert.True(await local.SendAsync(thrown));
        Assert.Equal(StatusCodes.Status500InternalServerError, thrown.StatusCode);
        Assert.IsType<InvalidOperationException>(thrown.Failure);
        // Kestrel's order: the answer never started, so no OnStarting; OnCompleted all the same.
        Assert.Equal(["middleware in", "on-completed"], seen);

        // Synchronous writes are refused, as Kestrel refuses them: the failure is the pipeline's, a 500.
        using var synchronous = Exchange("/sync", [], Ct);
        Assert.True(await local.SendAsync(synchronous));
        Assert.Equal(StatusCodes.Status500InternalServerError, synchronous.StatusCode);
    }

    [Fact]
    public async Task A_failure_after_the_answer_started_cuts_it_and_is_the_exchanges_failure()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = Build(seen);
        await app.StartAsync(Ct);
        using var exchange = Exchange("/late-throw", [], Ct);

        Assert.True(await app.Services.GetRequiredService<InProcessApplication>().SendAsync(exchange));

        // A socket's client would have seen the connection close mid-answer.
        Assert.Equal(StatusCodes.Status200OK, exchange.StatusCode);
        Assert.True(exchange.WasAborted);
        Assert.IsType<InvalidOperationException>(exchange.Failure);
        Assert.Contains("on-completed", seen);
    }

    [Fact]
    public async Task OnStarting_callbacks_run_once_each_and_a_throwing_OnCompleted_does_not_stop_the_others()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = Build(seen);
        await app.StartAsync(Ct);
        var local = app.Services.GetRequiredService<InProcessApplication>();

        // A callback that writes to the body itself starts the answer from inside the start: it runs once.
        using var writing = Exchange("/writes-when-starting", [], Ct);
        Assert.True(await local.SendAsync(writing));
        Assert.Equal(StatusCodes.Status200OK, writing.StatusCode);
        Assert.Null(writing.Failure);
        Assert.Single(seen, s => s == "writing on-starting");
        Assert.Single(seen, s => s == "on-starting");

        // One that throws fails the write that started the answer: a failure before the answer, a 500.
        using var starting = Exchange("/throws-when-starting", [], Ct);
        Assert.True(await local.SendAsync(starting));
        Assert.Equal(StatusCodes.Status500InternalServerError, starting.StatusCode);
        Assert.NotNull(starting.Failure);

        // The endpoint's own OnCompleted runs first and throws; the middleware's still runs, and the answer, already
        // whole, is not a failed one (Kestrel only logs such a failure).
        seen.Clear();
        using var completing = Exchange("/throws-when-completed", [], Ct);
        Assert.True(await local.SendAsync(completing));
        Assert.Equal(StatusCodes.Status200OK, completing.StatusCode);
        Assert.Null(completing.Failure);
        Assert.Equal("the endpoint's OnCompleted failed", Assert.IsType<InvalidOperationException>(completing.CompletionFailure).Message);
        Assert.Equal("on-completed", seen.Last());
    }

    [Fact]
    public async Task The_callers_cancellation_aborts_the_request_as_a_client_leaving_would()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = Build(seen);
        await app.StartAsync(Ct);
        using var deadline = new CancellationTokenSource();
        using var exchange = Exchange("/hang", [], deadline.Token);

        var sent = app.Services.GetRequiredService<InProcessApplication>().SendAsync(exchange);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(seen.Contains("hanging")), TimeSpan.FromSeconds(30)));
        Assert.False(sent.IsCompleted);
        await deadline.CancelAsync();

        Assert.True(await sent.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        Assert.Contains("aborted", seen);
        Assert.True(exchange.WasAborted);
        Assert.True(exchange.PastDeadline);
        // Aborted before it answered: Kestrel's 499, and the answer never started.
        Assert.Equal(StatusCodes.Status499ClientClosedRequest, exchange.StatusCode);
        Assert.DoesNotContain("on-starting", seen);
    }

    [Fact]
    public async Task A_pipeline_that_aborts_its_own_answer_is_seen_as_aborted()
    {
        var seen = new ConcurrentQueue<string>();
        await using var app = Build(seen);
        await app.StartAsync(Ct);
        using var exchange = Exchange("/cut", [], Ct);

        Assert.True(await app.Services.GetRequiredService<InProcessApplication>().SendAsync(exchange));

        // Started as a 200, then cut (a provider's body that broke off): a socket's client would have seen a reset.
        Assert.Equal(StatusCodes.Status200OK, exchange.StatusCode);
        Assert.True(exchange.WasAborted);
    }

    [Fact]
    public async Task An_HttpClient_on_the_in_process_handler_reads_whole_answers_and_sees_what_a_socket_would()
    {
        var seen = new ConcurrentQueue<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = Build(seen, release.Task);
        var local = app.Services.GetRequiredService<InProcessApplication>();
        using var http = new HttpClient(new InProcessHandler(local, maxResponseBytes: 64)) { BaseAddress = new Uri("http://in-process/") };

        // Before the server runs there is nothing to send to.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri("/echo", UriKind.Relative), new StringContent("x"), Ct));

        await app.StartAsync(Ct);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/echo?ignored=1") { Content = new StringContent("hello body") })
        {
            request.Headers.Add("X-Trace", "abc");
            request.Headers.TryAddWithoutValidation("User-Agent", "Judge/1.0 (gateway; in process)");
            using var answer = await http.SendAsync(request, Ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("answer that nobody reads", await answer.Content.ReadAsStringAsync(Ct));
            Assert.Equal("yes", Assert.Single(answer.Headers.GetValues("X-Started")));
        }

        // No Host goes with it (host filtering lets an empty one through); the rest is the request as sent.
        Assert.Contains("echo POST /echo host= remote=127.0.0.1 trace=abc content-length=10 body=hello body", seen);
        Assert.Contains("user-agent=Judge/1.0 (gateway; in process)", seen);

        using (var refused = await http.PostAsync(new Uri("/small-refusal", UriKind.Relative), new StringContent(""), Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("{\"error\":\"budget_exceeded\"}", await refused.Content.ReadAsStringAsync(Ct));
        }

        // Longer than the handler keeps, cut on the way, or past the caller's deadline: never a short answer read as whole.
        var tooLong = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri("/refuse", UriKind.Relative), new StringContent(""), Ct));
        Assert.Contains("longer than 64 bytes", tooLong.Message, StringComparison.Ordinal);
        using (var headersFirst = new HttpRequestMessage(HttpMethod.Post, "/refuse") { Content = new StringContent("") })
        {
            // Read headers first (as the judge bills), its status and headers arrive; its body still never reads as whole.
            using var answer = await http.SendAsync(headersFirst, HttpCompletionOption.ResponseHeadersRead, Ct);
            Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, answer.StatusCode);
            Assert.Equal("yes", Assert.Single(answer.Headers.GetValues("X-Started")));
            var unread = await Assert.ThrowsAsync<HttpRequestException>(() => answer.Content.ReadAsStringAsync(Ct));
            Assert.Contains("longer than 64 bytes", unread.Message, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(new Uri("/cut", UriKind.Relative), new StringContent(""), Ct));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var hanging = http.PostAsync(new Uri("/hang", UriKind.Relative), new StringContent(""), deadline.Token);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(seen.Contains("hanging")), TimeSpan.FromSeconds(30)));
        await deadline.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);

        // A caller past its deadline gives up at once, even on a pipeline that does not heed the abort.
        using var impatient = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var deaf = http.PostAsync(new Uri("/deaf", UriKind.Relative), new StringContent(""), impatient.Token);
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(seen.Contains("deaf")), TimeSpan.FromSeconds(30)));
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deaf.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        // Given up on by its caller, the call still runs in the pipeline: a draining caller waits for it to end.
        var drained = local.DrainAsync(Ct);
        Assert.False(drained.IsCompleted);
        release.TrySetResult();
        await drained.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Contains("deaf released", seen);

        // An OnCompleted callback that fails after a whole answer does not fail it.
        using var completed = await http.PostAsync(new Uri("/throws-when-completed", UriKind.Relative), new StringContent(""), Ct);
        Assert.Equal("answer", await completed.Content.ReadAsStringAsync(Ct));
    }


    [Fact]
    public async Task A_judge_answer_too_long_to_read_in_process_is_still_seen_with_its_cost_before_it_fails()
    {
        await using var app = Build(new ConcurrentQueue<string>());
        await app.StartAsync(Ct);
        using var http = new HttpClient(new InProcessHandler(app.Services.GetRequiredService<InProcessApplication>(), maxResponseBytes: 64));
        var seenCost = new List<string>();
        var judge = new LlmGateway.Eval.Running.GatewayLlmJudge(
            http, new Uri("http://in-process/"), "sk-judge", "gpt-4o-mini", onResponse: r => seenCost.AddRange(r.Headers.GetValues("X-Gateway-Cost-USD")));

        // The gateway billed the call (its cost header): the judge's daily spend must count it, though the verdict is unreadable.
        var failed = await Assert.ThrowsAsync<HttpRequestException>(() => judge.JudgeAsync("Polite?", "an answer", Ct));
        Assert.Contains("longer than 64 bytes", failed.Message, StringComparison.Ordinal);
        Assert.Equal(["0.25"], seenCost);
    }

    private static InProcessExchange Exchange(string path, byte[] body, CancellationToken cancellation)
    {
        IHeaderDictionary headers = new HeaderDictionary { ["X-Trace"] = "abc", ["Content-Type"] = "text/plain" };
        return new InProcessExchange(HttpMethods.Post, "http", "gateway.example", path, headers, body, cancellation);
    }

    /// <param name="release">What <c>/deaf</c> waits for, heeding no abort (a test's own).</param>
    private static WebApplication Build(ConcurrentQueue<string> seen, Task? release = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddInProcessCalls();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            seen.Enqueue("middleware in");
            context.Response.OnStarting(() =>
            {
                seen.Enqueue("on-starting");
                context.Response.Headers["X-Started"] = "yes";
                return Task.CompletedTask;
            });
            context.Response.OnCompleted(() =>
            {
                seen.Enqueue("on-completed");
                return Task.CompletedTask;
            });
            await next(context);
            seen.Enqueue("middleware out");
        });
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            seen.Enqueue($"echo {context.Request.Method} {context.Request.Path} host={context.Request.Host} remote={context.Connection.RemoteIpAddress} "
                + $"trace={context.Request.Headers["X-Trace"]} content-length={context.Request.ContentLength} body={body}");
            if (context.Request.Headers.UserAgent.Count > 0)
            {
                seen.Enqueue($"user-agent={context.Request.Headers.UserAgent}");
            }
            await context.Response.WriteAsync("answer that nobody reads", context.RequestAborted);
        });
        app.MapPost("/refuse", async (HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await context.Response.WriteAsync("{\"error\":\"budget_exceeded\"}" + new string(' ', 5000), context.RequestAborted);
        });
        app.MapPost("/deaf", async (HttpContext context) =>
        {
            seen.Enqueue("deaf");
            await (release ?? Task.CompletedTask);
            seen.Enqueue("deaf released");
        });
        app.MapPost("/small-refusal", async (HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            await context.Response.WriteAsync("{\"error\":\"budget_exceeded\"}", context.RequestAborted);
        });
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            context.Response.Headers["X-Gateway-Cost-USD"] = "0.25";
            await context.Response.WriteAsync("{\"choices\":[{\"message\":{\"content\":\"" + new string('x', 500) + "\"}}]}", context.RequestAborted);
        });
        app.MapPost("/throw", (HttpContext _) => throw new InvalidOperationException("the pipeline failed"));
        app.MapPost("/sync", (HttpContext context) => context.Response.Body.Write("x"u8));
        app.MapPost("/late-throw", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("data: part", context.RequestAborted);
            throw new InvalidOperationException("the pipeline failed after the answer started");
        });
        app.MapPost("/writes-when-starting", async (HttpContext context) =>
        {
            context.Response.OnStarting(async () =>
            {
                seen.Enqueue("writing on-starting");
                await context.Response.WriteAsync("from the start", context.RequestAborted);
            });
            await context.Response.WriteAsync("answer", context.RequestAborted);
        });
        app.MapPost("/throws-when-starting", async (HttpContext context) =>
        {
            context.Response.OnStarting(() => throw new InvalidOperationException("OnStarting failed"));
            await context.Response.WriteAsync("answer", context.RequestAborted);
        });
        app.MapPost("/throws-when-completed", async (HttpContext context) =>
        {
            context.Response.OnCompleted(() => throw new InvalidOperationException("the endpoint's OnCompleted failed"));
            await context.Response.WriteAsync("answer", context.RequestAborted);
        });
        app.MapPost("/cut", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("data: part", context.RequestAborted);
            context.Abort();
        });
        app.MapPost("/hang", async (HttpContext context) =>
        {
            seen.Enqueue("hanging");
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                seen.Enqueue("aborted");
            }
        });
        return app;
    }
}
