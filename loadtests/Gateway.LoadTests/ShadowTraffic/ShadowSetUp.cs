using System.Diagnostics;
using LlmGateway.LoadTests.Harness;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// Puts arm A in a shadow step and leaves arm B alone, through the admin API as an operator would: both prompts get v1 and
/// v2 of the harness's bundle (approved; v1 is the same for both), v1 is released as stable, then a rollout of v2 starts
/// on A with a plan whose first step is a shadow step of share 1 (100%) and a 24 h minimum. The release record is then
/// <c>canary=2, canary_weight=0, shadow_share=10000</c>. No sampling policy is set: the configured defaults apply (1% of
/// B's stable requests; a shadowed request is always sampled). Returns A's release as the admin API shows it.
/// </summary>
internal static class ShadowSetUp
{
    public const string Plan = """{"steps":[{"shadow":true,"share":1,"min_duration":"24h"},{"weight":5}],"metrics":[{"metric":"error","threshold":0.1}]}""";

    private static readonly TimeSpan ActivationTimeout = TimeSpan.FromSeconds(15);

    public static async Task<string> RunAsync(TestBed bed)
    {
        var gateway = bed.GatewayUrl!;
        using var controlPlane = new ControlPlane(gateway);
        foreach (var arm in ShadowArm.Both)
        {
            await controlPlane.SetUpPromptAsync(arm.Prompt, canaryWeightBps: 0, samplingRate: null);
        }

        await controlPlane.StartRolloutAsync(ShadowArm.WithShadow.Prompt, version: 2, Plan, "load test: shadow step");
        var release = (await controlPlane.GetAsync($"/admin/v1/prompts/{ShadowArm.WithShadow.Prompt}/releases/{ControlPlane.Environment}")).ToJsonString();

        using var probe = new GatewayProbe(gateway);
        await probe.WaitForVersionAsync(ShadowArm.WithoutShadow.Prompt, bed.ApiKey, version: 1, ActivationTimeout);

        // The step has reached the gateway's release snapshot once a call to A makes a copy that the candidate answers.
        var deadline = Stopwatch.StartNew();
        while ((await ShadowCounters.ReadAsync(probe)).AnsweredCalls == 0)
        {
            if (deadline.Elapsed > ActivationTimeout)
            {
                throw new InvalidOperationException($"No shadow copy of prompt:{ShadowArm.WithShadow.Prompt} was answered within {ActivationTimeout.TotalSeconds} s of starting its shadow step (release: {release}).");
            }

            await probe.CallPromptAsync(ShadowArm.WithShadow.Prompt, bed.ApiKey);
            await Task.Delay(100);
        }

        return release;
    }
}
