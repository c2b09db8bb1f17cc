using System.Net;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests;

/// <summary>Ctrl+C or SIGTERM mid-command: one error line and exit 130, never an unhandled exception (exit 134, a stack trace).</summary>
public sealed class InterruptionTests
{
    /// <summary>A gateway that is interrupted as the request reaches it: the token is cancelled and the call ends in a cancellation.</summary>
    private static FakeAdminApi InterruptedAtFirstRequest(CancellationTokenSource interrupt) => new(_ =>
    {
        interrupt.Cancel();
        throw new OperationCanceledException(interrupt.Token);
    });

    [Fact]
    public async Task An_interrupted_read_exits_130_with_one_line_that_says_nothing_changed()
    {
        using var interrupt = new CancellationTokenSource();
        using var api = InterruptedAtFirstRequest(interrupt);

        var run = await api.RunAsync(interrupt.Token, "keys", "list");

        run.AssertExit(130);
        var line = Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("error: Interrupted before the command finished; nothing was changed. (interrupted)", line);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task An_interrupted_change_exits_130_and_says_it_may_or_may_not_have_been_applied()
    {
        using var interrupt = new CancellationTokenSource();
        using var api = InterruptedAtFirstRequest(interrupt);

        var run = await api.RunAsync(interrupt.Token, "keys", "revoke", "key_123");

        run.AssertExit(130);
        Assert.Equal(HttpMethod.Delete, Assert.Single(api.Requests).Method);
        var line = Assert.Single(run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("may or may not have been applied", line, StringComparison.Ordinal);
        Assert.EndsWith("(interrupted)", line, StringComparison.Ordinal);
    }
}
