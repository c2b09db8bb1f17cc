using LlmGateway.Eval.Scoring;

namespace LlmGateway.Behaviour;

/// <summary>One judged sample's slot: the registry whose <c>llm-rubric</c> calls the judge; disposing frees the slot.</summary>
internal sealed class JudgeGrant(ScorerRegistry registry, SemaphoreSlim slots) : IJudgeAccess, IDisposable
{
    private int _disposed;

    public ScorerRegistry Registry { get; } = registry;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            slots.Release();
        }
    }
}
