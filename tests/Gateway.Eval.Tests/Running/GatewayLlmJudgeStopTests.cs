using LlmGateway.Eval.Running;

namespace LlmGateway.Eval.Tests.Running;

/// <summary>
/// A judge call the caller gives up before its answer (a stopping evaluator) may still be answered and billed, and its
/// sample is judged again after redelivery: it counts as an unanswered call, or each stop would escape the daily budget.
/// </summary>
public sealed class GatewayLlmJudgeStopTests
{
    [Fact]
    public async Task A_call_the_caller_cancels_before_its_answer_counts_as_unanswered()
    {
        using var handler = new HangingHandler();
        using var http = new HttpClient(handler);
        var unanswered = 0;
        var judge = new GatewayLlmJudge(http, new Uri("http://127.0.0.1:8080/"), "k", "gpt-4o", onNoAnswer: () => Interlocked.Increment(ref unanswered));
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var call = judge.JudgeAsync("is polite", "Thank you!", stopping.Token);
        await handler.Entered.Task.WaitAsync(TestContext.Current.CancellationToken);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, unanswered);
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
