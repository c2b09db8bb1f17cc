using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Hosting;

/// <summary>
/// The real server (Kestrel), wrapped only to hand the application it starts to <see cref="InProcessApplication"/>:
/// the same hosting application, with its diagnostics, request scope and whole middleware pipeline, that Kestrel calls
/// for a request off the wire. Everything else is the inner server's.
/// </summary>
internal sealed class InProcessServer(IServer inner, InProcessApplication local) : IServer
{
    public IFeatureCollection Features => inner.Features;

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        local.Attach(features => RunAsync(application, features));
        return inner.StartAsync(application, cancellationToken);
    }

    // Calls are still taken after the server stops listening (its drain may still queue work that makes them); new
    // ones are refused once it is disposed, with the host. The callers stop theirs before: the shadow dispatcher waits
    // for its copies, the evaluator drains the judge calls it gave up on (InProcessApplication.DrainAsync).
    public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

    public void Dispose()
    {
        local.Detach();
        inner.Dispose();
    }

    // What Kestrel does with one request once parsed: create the context, run the pipeline, end the response
    // (InProcessExchange.EndAsync), dispose the context with the failure if any.
    private async Task RunAsync<TContext>(IHttpApplication<TContext> application, InProcessExchange exchange)
        where TContext : notnull
    {
        var context = application.CreateContext(exchange.Features);
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(context);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        try
        {
            failure = await exchange.EndAsync(failure);
        }
        finally
        {
            application.DisposeContext(context, failure);
        }

        if (exchange.CompletionFailure is { } completion)
        {
            local.CompletionFailed(completion);
        }
    }
}
