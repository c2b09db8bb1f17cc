using LlmGateway.Behaviour;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Threading;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Behaviour;

/// <summary>In a gateway, the evaluator scores on threads of its own below the request threads' priority.</summary>
public sealed class EvaluatorThreadsTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_in_process_evaluator_runs_its_rounds_on_its_own_niced_threads()
    {
        var (gateway, _) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true, s => s["Gateway:OnlineEval:Nice"] = "13");
        await using var _ = gateway;
        var round = new TaskCompletionSource<(string? Thread, int? Nice)>(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.GetRequiredService<OnlineEvaluator>().BeforeAck = _ =>
        {
            round.TrySetResult((Thread.CurrentThread.Name, ThreadNice.Current()));
            return Task.CompletedTask;
        };

        var name = "beh-threads-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        var options = new ChatCompletionOptions();
        options.Patch.Set("$.prompt_variables.company"u8, "Acme");
        var chat = OpenAiClients.For(gateway, await PromptSetup.KeyAsync(gateway)).GetChatClient("prompt:" + name);
        var answer = await chat.CompleteChatAsync([new UserChatMessage("hello")], options, Ct);
        Assert.NotEmpty(answer.Value.Content);

        var (thread, nice) = await round.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.StartsWith("online-eval-", thread, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(13, nice);
        }
    }
}
