namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>llm-rubric</c>: a judge model grades the output against the rubric in the value. The judge's reply is parsed
/// strictly (<see cref="JudgeReplyParser"/>); an unparseable reply or a judge failure is an error. With a
/// threshold, the judge's score must also reach it (promptfoo's semantics).
/// </summary>
internal sealed class LlmRubricScorer(ILlmJudge? judge) : IScorer
{
    public string Name => "llm-rubric";

    public async ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (judge is null)
        {
            return ScoreResult.Errored("llm-rubric needs a judge, and none is configured");
        }

        if (!AssertionValue.TryGetText(assertion.Value, out var rubric) || string.IsNullOrWhiteSpace(rubric))
        {
            return ScoreResult.Errored("llm-rubric needs a non-empty rubric string value");
        }

        if (assertion.Threshold is { } t && t is < 0 or > 1)
        {
            return ScoreResult.Errored($"llm-rubric threshold must be in [0, 1], got {AssertionValue.Number(t)}");
        }

        string reply;
        try
        {
            reply = await judge.JudgeAsync(rubric, input.Output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything but our own cancellation (including an HTTP timeout) means "could not score".
            return ScoreResult.Errored($"judge failed: {ex.GetType().Name}: {ex.Message}");
        }

        // The interface says non-null, but a fake or a careless adapter can still return null.
        if (reply is null)
        {
            return ScoreResult.Errored("judge reply unparseable: the judge returned null");
        }

        if (!JudgeReplyParser.TryParse(reply, out var pass, out var score, out var reason, out var error))
        {
            return ScoreResult.Errored(error);
        }

        if (assertion.Threshold is { } threshold && pass && score < threshold)
        {
            return ScoreResult.Of(false, score, $"judge passed it but score {AssertionValue.Number(score)} < threshold {AssertionValue.Number(threshold)}: {reason}");
        }

        return ScoreResult.Of(pass, score, $"judge: {reason}");
    }
}
