using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>Replies with a fixed string, or throws, and records what it was asked.</summary>
internal sealed class FakeLlmJudge(string? reply, Exception? failure = null) : ILlmJudge
{
    public List<(string Rubric, string Output)> Calls { get; } = [];

    public Task<string> JudgeAsync(string rubric, string output, CancellationToken cancellationToken)
    {
        Calls.Add((rubric, output));
        return failure is not null ? Task.FromException<string>(failure) : Task.FromResult(reply!);
    }
}
