using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// The <see cref="IReverseProxyApplicationBuilder"/> that YARP hands to <c>MapReverseProxy</c> (its own is
/// internal), over a plain <see cref="IApplicationBuilder"/>: lets the benchmarks call the gateway's own
/// <c>UseGatewayStages</c>, so the whole-pipeline benchmark runs the stages in production's order, each
/// created by <c>UseMiddleware</c> as the host creates it.
/// </summary>
internal sealed class ProxyPipelineBuilder(IApplicationBuilder inner) : IReverseProxyApplicationBuilder
{
    public IServiceProvider ApplicationServices
    {
        get => inner.ApplicationServices;
        set => inner.ApplicationServices = value;
    }

    public IFeatureCollection ServerFeatures => inner.ServerFeatures;

    public IDictionary<string, object?> Properties => inner.Properties;

    public RequestDelegate Build() => inner.Build();

    public IApplicationBuilder New() => inner.New();

    public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware)
    {
        inner.Use(middleware);
        return this;
    }
}
