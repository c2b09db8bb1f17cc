using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// One request run through the real stages up to a point and held there: the stages' <c>next</c> waits
/// until <see cref="DisposeAsync"/>, so what they set on the context (the admitted body, the exchange and its
/// pooled upstream body) stays alive, owned by the stages that made it, and is disposed by them at the end.
/// This is how a later stage's benchmark gets the features the earlier stages build, without copying how
/// they build them.
/// </summary>
internal sealed class ParkedRequest : IAsyncDisposable
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;

    private ParkedRequest(HttpContext context) => Context = context;

    /// <summary>The parked request: its features are what the stages before the park set.</summary>
    public HttpContext Context { get; }

    /// <param name="stages">The stages to run, given the <c>next</c> that parks.</param>
    public static async Task<ParkedRequest> ParkAsync(HttpContext context, Func<RequestDelegate, RequestDelegate> stages)
    {
        var parked = new ParkedRequest(context);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = stages(async _ =>
        {
            reached.SetResult();
            await parked._release.Task;
        });
        parked._running = run(context);
        await Task.WhenAny(reached.Task, parked._running);
        if (!reached.Task.IsCompleted)
        {
            await parked._running;
            throw new InvalidOperationException($"The stages answered {context.Response.StatusCode} instead of passing the request on.");
        }

        return parked;
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _running;
    }
}
