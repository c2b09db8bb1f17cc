using Yarp.ReverseProxy;

namespace LlmGateway.Pipeline;

internal static class PipelineExtensions
{
    /// <summary>
    /// The gateway's stages, in YARP's proxy pipeline before its own (affinity, load balancing,
    /// passive health, forwarding). Each stage reads what the earlier ones built and never reaches back.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseGatewayStages(this IReverseProxyApplicationBuilder pipeline)
    {
        pipeline.UseMiddleware<AdmissionStage>();
        pipeline.UseMiddleware<RoutingStage>();
        pipeline.UseMiddleware<BudgetStage>();
        pipeline.UseMiddleware<ForwardStage>();
        return pipeline;
    }
}
