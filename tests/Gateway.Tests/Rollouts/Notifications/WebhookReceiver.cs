using System.Net;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>
/// A webhook endpoint on a real Kestrel loopback port that records every request. It answers 200 unless told to fail
/// the next N requests with a status, to hold the next N without answering (until the client gives up), or to hold
/// every request until <see cref="Release"/>.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ThreadSafeCollection<ReceivedWebhook> _requests = new();
    private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failuresLeft;
    private int _failStatus = 500;
    private int _hangsLeft;
    private volatile bool _holdAll;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        _app.Run(HandleAsync);
    }

    /// <summary>The hook's URL, with a query string standing in for a token that must never be logged.</summary>
    public Uri Url => new(new Uri(_app.Urls.First()), "/hook?token=query-token-42");

    public IReadOnlyList<ReceivedWebhook> Requests => _requests.Snapshot();

    /// <summary>Completes when the first request arrives (before it is answered).</summary>
    public Task FirstRequest => _firstRequest.Task;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var receiver = new WebhookReceiver(builder.Build());
        await receiver._app.StartAsync(TestContext.Current.CancellationToken);
        return receiver;
    }

    public void Fail(int times, int status)
    {
        _failStatus = status;
        Volatile.Write(ref _failuresLeft, times);
    }

    public void Hang(int times) => Volatile.Write(ref _hangsLeft, times);

    public void HoldAll() => _holdAll = true;

    public void Release()
    {
        _holdAll = false;
        _released.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var hang = Interlocked.Decrement(ref _hangsLeft) >= 0;
        var status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? _failStatus : 200;
        _requests.Add(new ReceivedWebhook(
            buffer.ToArray(),
            context.Request.Headers["X-Gateway-Signature"].FirstOrDefault(),
            context.Request.ContentType,
            context.Request.Path + context.Request.QueryString,
            hang ? 0 : status,
            context.Request.Headers["X-Gateway-Delivery"].FirstOrDefault()));
        _firstRequest.TrySetResult();
        if (hang)
        {
            // Held until the client gives up (its per-attempt timeout) or the test ends; never answered.
            await Task.WhenAny(Task.Delay(Timeout.Infinite, context.RequestAborted), _released.Task);
            context.Abort();
            return;
        }

        if (_holdAll)
        {
            await _released.Task.WaitAsync(context.RequestAborted);
        }

        context.Response.StatusCode = status;
    }
}
