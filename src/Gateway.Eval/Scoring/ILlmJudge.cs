namespace LlmGateway.Eval.Scoring;

/// <summary>Asks a judge model, through the gateway, to grade an output against a rubric.</summary>
public interface ILlmJudge
{
    /// <summary>
    /// Returns the judge's raw reply, which <c>llm-rubric</c> requires to be
    /// <c>{"pass":bool,"score":0..1,"reason":"..."}</c>, optionally inside a single <c>```json</c> fence.
    /// </summary>
    Task<string> JudgeAsync(string rubric, string output, CancellationToken cancellationToken);
}
