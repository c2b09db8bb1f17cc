namespace LlmGateway.Cli.Tests.Rollouts;

/// <summary>A clock that says what the test sets, and moves only when the test moves it.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
