using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using LlmGateway.Hosting;
using LlmGateway.Pipeline;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LlmGateway.Shadow;

/// <summary>
/// Sends the copies of a shadow step's stable requests to the candidate, after their clients have been answered:
/// a bounded queue (a full one drops the copy, counted) and <see cref="ShadowOptions.MaxConcurrency"/> senders.
/// Each copy goes back through this gateway's own pipeline, in process (<see cref="InProcessApplication"/>: no socket,
/// no second HTTP parse), marked as a copy (<see cref="ShadowCopy"/>) and so served as the shadow principal (<see cref="ShadowPrincipal"/>),
/// so it is rendered from the candidate bundle, forwarded with the same resilience, billed apart under its own key
/// and budget, and sampled paired with the stable sample. The answer is run to its end and thrown away.
/// </summary>
internal sealed class ShadowDispatcher : BackgroundService
{
    private readonly ShadowOptions _options;
    private readonly InProcessApplication _application;
    private readonly ILogger<ShadowDispatcher> _logger;
    private readonly Channel<ShadowCall> _queue;
    private readonly Counter<long> _calls;
    // Per environment, the last UTC day its over-budget warning was logged: once a day, and one entry per environment.
    private readonly ConcurrentDictionary<string, DateOnly> _overBudgetLogged = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private int _notRunningLogged;
    private long _queuedBytes;

    /// <summary>How long past its deadline a copy's pipeline may run before its sender warns that it is stuck.</summary>
    private static readonly TimeSpan OverdueAfter = TimeSpan.FromSeconds(5);

    public ShadowDispatcher(
        IOptions<ShadowOptions> options, InProcessApplication application, IMeterFactory meters, TimeProvider time,
        ILogger<ShadowDispatcher> logger)
    {
        _options = options.Value;
        _application = application;
        _logger = logger;
        _time = time;
        _queue = Channel.CreateBounded<ShadowCall>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = false,
            SingleReader = false,
        });
        _calls = meters.Create(GatewayTelemetry.Name).CreateCounter<long>(
            "gateway.shadow.calls",
            description: "Copies of stable requests for a rollout's shadow step, by outcome (answered, failed, over_budget, throttled, ended, timeout, censored, dropped, not_running).");
    }

    /// <summary>
    /// Copies the client's body and the headers its provider was allowed to see (<paramref name="forwarded"/>, the
    /// list of the provider that served it) and queues the call; never waits. A full queue, or one whose copies
    /// already hold <see cref="ShadowOptions.MaxQueuedBytes"/>, drops the copy (reserved before the body is copied: a
    /// dropped one costs only its few header strings).
    /// </summary>
    public void Offer(LlmExchange exchange, HeaderAllowList forwarded, HttpRequest client, string pairedWith, TimeSpan stableDuration)
    {
        var headers = ForwardedHeaders(forwarded, client.Headers);
        var host = client.Headers.Host.ToString();
        var size = exchange.ClientBody.WrittenSpan.Length + SizeOf(headers) + host.Length + (client.QueryString.Value?.Length ?? 0);
        if (Interlocked.Add(ref _queuedBytes, size) > _options.MaxQueuedBytes)
        {
            Interlocked.Add(ref _queuedBytes, -size);
            Count("dropped");
            return;
        }

        var prompt = exchange.Prompt!;
        var call = new ShadowCall(exchange.RequestId, client.Scheme, host, exchange.Endpoint, client.QueryString.Value ?? "", exchange.Key.Environment, pairedWith, prompt.Bundle.Version, prompt.ShadowVersion!.Value, stableDuration, exchange.ClientBody.WrittenSpan.ToArray(), headers, size);
        if (!_queue.Writer.TryWrite(call))
        {
            Interlocked.Add(ref _queuedBytes, -size);
            Count("dropped");
        }
    }

    /// <summary>
    /// The same input is the body and the headers that reach a provider (<c>Accept</c>, <c>User-Agent</c>,
    /// <c>OpenAI-Beta</c>, a configured <c>x-…</c> header): the ones the stable request's provider was allowed to see,
    /// which leaves out credentials, sessions, pins and the gateway's own
    /// (<see cref="ProviderHeaders.NeverForwarded"/>). The copy goes through the pipeline again, so the candidate's
    /// provider applies its own list to them. Content headers are the copy's own.
    /// </summary>
    internal static HeaderDictionary ForwardedHeaders(HeaderAllowList allowed, IHeaderDictionary clientHeaders)
    {
        var carried = new HeaderDictionary();
        foreach (var (name, values) in clientHeaders)
        {
            if (!name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && allowed.Allows(name))
            {
                // A one-value header is its string (immutable); several are copied out of the request's own array.
                carried[name] = values.Count == 1 ? new StringValues(values[0]) : new StringValues(values.ToArray());
            }
        }

        return carried;
    }

    // What a waiting copy's headers hold, in the same rough bytes as its body (characters, not UTF-16's two bytes each).
    private static int SizeOf(HeaderDictionary headers)
    {
        var size = 0;
        foreach (var (name, values) in headers)
        {
            size += name.Length;
            foreach (var value in values)
            {
                size += value?.Length ?? 0;
            }
        }

        return size;
    }

    /// <summary>Test seam: the number of copies waiting.</summary>
    internal int Queued => _queue.Reader.Count;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.MaxConcurrency).Select(_ => SendLoopAsync(stoppingToken)));

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var call in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                Interlocked.Add(ref _queuedBytes, -call.QueuedBytes);
                await SendAsync(call, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(ShadowCall call, CancellationToken stoppingToken)
    {
        // The copy's own dictionary, made when it was offered: its content type and request id go in now.
        var headers = call.Headers;
        headers.ContentType = "application/json";
        headers[RequestIds.Header] = call.CopyRequestId;

        // The timeout on the gateway's TimeProvider (the one every other deadline runs on), linked with the stop.
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        using var exchange = new InProcessExchange(HttpMethods.Post, call.Scheme, call.Host, call.Endpoint, headers, call.Body, deadline.Token, call.Query);
        var copy = new ShadowCopy(call.Environment, call.PairedWith, call.StableVersion, call.CandidateVersion, stableOutlastedTimeout: call.StableDuration >= _options.Timeout);
        exchange.Features.Set(copy);
        // What fired the deadline, read when it fired: a copy the stop cuts is not the candidate's failure (ShadowCopy.CutByStop).
        using var fired = deadline.Token.Register(
            static state =>
            {
                var (copy, stopping) = ((ShadowCopy, CancellationToken))state!;
                copy.DeadlineFired(byStop: stopping.IsCancellationRequested);
            },
            (copy, stoppingToken));
        string outcome;
        string detail;
        try
        {
            // Runs the whole pipeline, as for a client that reads to the end: the copy is billed and sampled when it
            // ends. The deadline (or the gateway stopping) aborts it, and the sender waits for the pipeline to see
            // that, so MaxConcurrency holds and a stopping gateway still bills the copies it cut (ShadowCopy.CutByStop).
            var running = _application.SendAsync(exchange);
            try
            {
                await running.WaitAsync(_options.Timeout + OverdueAfter, _time, CancellationToken.None); // a stop aborts the copy: it ends, and is waited for
            }
            catch (TimeoutException)
            {
                // Still waited for: a stage that ignores the abort and never times out holds this sender, and says so.
                ShadowLog.Overdue(_logger, call.RequestId, _options.Timeout + OverdueAfter);
            }

            if (!await running)
            {
                if (Interlocked.Exchange(ref _notRunningLogged, 1) == 0)
                {
                    ShadowLog.NotRunning(_logger);
                }

                Count("not_running");
                return;
            }

            (outcome, detail) = Outcome(exchange.StatusCode, exchange.PastDeadline, exchange.WasAborted, exchange.Failure, exchange.ErrorHead, copy);
        }
        catch (Exception ex)
        {
            // Whatever one copy does, the sender lives on to send the next.
            (outcome, detail) = ("failed", ex.GetType().Name);
        }

        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        if (outcome == "over_budget" && FirstOverBudgetToday(call.Environment))
        {
            ShadowLog.OverBudget(_logger, call.Environment);
        }

        ShadowLog.CallEnded(_logger, call.RequestId, outcome, detail);
        Count(outcome);
    }

    /// <summary>
    /// The copy's outcome. A copy the pipeline found answered whole (<see cref="ShadowCopy.AnsweredWhole"/>, decided from
    /// the result its sample is decided on) is answered, even when its deadline fired after that, before the exchange
    /// ended: counted a timeout, it was sampled and paired as an answer all the same.
    /// </summary>
    internal static (string Outcome, string Detail) Outcome(int status, bool pastDeadline, bool wasAborted, Exception? failure, string errorHead, ShadowCopy copy) =>
        status switch
        {
            // Cut where the stable answer was not: its own time ran past the timeout too (not sampled: ShadowCopy.Censored).
            _ when pastDeadline && !copy.AnsweredWhole && copy.StableOutlastedTimeout => ("censored", "no whole answer within Gateway:Shadow:Timeout, which the stable answer took too"),
            _ when pastDeadline && !copy.AnsweredWhole => ("timeout", "no whole answer within Gateway:Shadow:Timeout"),
            _ when failure is not null => ("failed", failure.GetType().Name),
            // The pipeline cut the answer (a provider's stream that broke off): a client would have seen a reset.
            _ when wasAborted && !copy.AnsweredWhole => ("failed", "aborted"),
            // The shadow key's own budget, or a limit of the gateway or the provider: only the first waits for tomorrow.
            StatusCodes.Status429TooManyRequests => errorHead.Contains("\"budget_exceeded\"", StringComparison.Ordinal) ? ("over_budget", "429 budget_exceeded") : ("throttled", "429"),
            < StatusCodes.Status400BadRequest => ("answered", "ok"),
            StatusCodes.Status409Conflict => ("ended", "409"),
            var other => ("failed", other.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };

    private void Count(string outcome) => _calls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    // At worst two senders both log the day's first warning: a log line, not a limit.
    private bool FirstOverBudgetToday(string environment)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (_overBudgetLogged.TryGetValue(environment, out var logged) && logged >= today)
        {
            return false;
        }

        _overBudgetLogged[environment] = today;
        return true;
    }
}
