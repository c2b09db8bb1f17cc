using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.Harness;

/// <summary>The prompt-chat set-up of the harness: v1 stable, v2 canary at 10%, sampling 5% on both arms.</summary>
internal static class PromptSetUp
{
    public static async Task CanaryWithSamplingAsync(TestBed bed, Uri gatewayUrl)
    {
        using var controlPlane = new ControlPlane(gatewayUrl);
        await controlPlane.SetUpPromptAsync(LoadTestBundle.Name, canaryWeightBps: 1000, samplingRate: 0.05);
        using var probe = new GatewayProbe(gatewayUrl);
        await probe.WaitForVersionAsync(LoadTestBundle.Name, bed.ApiKey, version: null, TimeSpan.FromSeconds(10));
    }
}
