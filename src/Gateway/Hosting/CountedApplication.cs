using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace LlmGateway.Hosting;

/// <summary>
/// The server's application, counting the requests between their context's creation and its disposal (the server
/// disposes it once the request's pipeline has returned, aborted or not): what <see cref="DrainBoundedServer"/> waits
/// for after a cut drain. Counted there rather than around <c>ProcessRequestAsync</c>, which would cost every request an
/// async state machine.
/// </summary>
internal sealed class CountedApplication<TContext>(IHttpApplication<TContext> inner, InFlightRequests inFlight) : IHttpApplication<TContext>
    where TContext : notnull
{
    public TContext CreateContext(IFeatureCollection contextFeatures)
    {
        inFlight.Enter();
        try
        {
            return inner.CreateContext(contextFeatures);
        }
        catch
        {
            inFlight.Exit();
            throw;
        }
    }

    public Task ProcessRequestAsync(TContext context) => inner.ProcessRequestAsync(context);

    public void DisposeContext(TContext context, Exception? exception)
    {
        try
        {
            inner.DisposeContext(context, exception);
        }
        finally
        {
            inFlight.Exit();
        }
    }
}
