using LlmGateway.LoadTests.Comparison;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.Tests.LoadHarness;

/// <summary>
/// A compare run that a dying process stopped reports every goal of the phases it cut or never reached as not met, with
/// the reason, in the JSON and the Markdown alike; goals no phase of the run was to measure stay "not measured".
/// </summary>
public sealed class StoppedRunGoalsTests
{
    private static readonly ChildLoss Loss = new(
    [
        new ChildExit("store", 4242, "gateway", 137, "chat-c32, round 2, gateway window", 183.2, "/tmp/gateway-loadtests/x/gateway.log", ["crit: LlmGateway.Store.GatewayStore[105]", "      The embedded store process 4242 exited with code 137 while the gateway runs"]),
    ]);

    [Fact]
    public void The_goals_of_a_phase_a_process_ended_under_are_not_met_with_the_reason()
    {
        var closed = new LoadShape(Rate: null, Concurrency: 32, WarmupSeconds: 10, DurationSeconds: 10, MaxInFlight: 100);
        IReadOnlyList<PhaseResult> phases =
        [
            PhaseResult.NotRun(CompareSuite.Single(ScenarioKind.Chat, closed, 50, 10), SystemNames.All, Loss.Reason),
            PhaseResult.NotRun(CompareSuite.Single(ScenarioKind.PromptChat, closed, 50, 10), [SystemNames.Gateway], Loss.Reason),
        ];

        var goals = GoalEvaluator.Evaluate(phases).ToDictionary(g => g.Goal, StringComparer.Ordinal);

        foreach (var name in new[] { "Plain chat throughput", "CPU per request, plain chat", "Allocation per request, plain chat", "Peak RSS under prompt-chat load, with the store" })
        {
            Assert.Equal(GoalCheck.NotMet, goals[name].Verdict);
            Assert.StartsWith(Loss.Reason, goals[name].Note, StringComparison.Ordinal);
        }

        // Not planned: no open chat or stream phase, and the prompt-chat phase had no bare YARP to compare with.
        foreach (var name in new[] { "Added p99 latency over bare YARP, plain chat, open model", "Stream time to first token, added p99 over bare YARP", "Prompt-chat throughput" })
        {
            Assert.Equal(GoalCheck.NotMeasured, goals[name].Verdict);
        }

        var report = new CompareReport(DateTimeOffset.UnixEpoch, "compare --scenario goals", MachineInfo.Describe(), Settings(), phases, [.. goals.Values], Loss);
        var markdown = CompareMarkdown.Write(report);
        Assert.Contains("The gateway's store process (pid 4242, started by the gateway) exited with code 137 (SIGKILL: the OOM killer, or a kill -9) during chat-c32, round 2, gateway window, 183.2 s into the run", markdown, StringComparison.Ordinal);
        Assert.Contains("| Plain chat throughput | ≥ 0.85× bare YARP | — | — | — | **not met** | chat-c32 |", markdown, StringComparison.Ordinal);
        Assert.Contains("exited with code 137 while the gateway runs", markdown, StringComparison.Ordinal);
        Assert.Contains("**No window measured**", markdown, StringComparison.Ordinal);
    }

    private static CompareSettings Settings() =>
        new(Rounds: 4, WarmupRequests: 0, JitSettleMethodsPerSecond: 5, CooldownSeconds: 1, SystemNames.All, StoreMode.Embedded);
}
