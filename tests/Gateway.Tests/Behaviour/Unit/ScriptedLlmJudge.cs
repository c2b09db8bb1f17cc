using LlmGateway.Eval.Scoring;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary>A judge that answers with a fixed reply (or throws when the reply is null) and records what it was asked.</summary>
internal sealed class ScriptedLlmJudge(string? reply) : ILlmJudge
{
    public List<(string Rubric, string Output)> Calls { get; } = [];

    public Task<string> JudgeAsync(string rubric, string output, CancellationToken cancellationToken)
    {
        Calls.Add((rubric, output));
        return reply is null
            ? throw new HttpRequestException("judge unreachable")
            : Task.FromResult(reply);
    }
}
