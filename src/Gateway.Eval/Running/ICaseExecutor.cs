namespace LlmGateway.Eval.Running;

/// <summary>
/// Runs one case against one prompt version. Implementations report failures in <see cref="CaseExecution.Error"/>
/// (marking ones worth retrying <see cref="CaseExecution.Transient"/>) rather than throwing; only cancellation
/// should propagate. <see cref="RetryingCaseExecutor"/> adds the retries.
/// </summary>
internal interface ICaseExecutor
{
    Task<CaseExecution> ExecuteAsync(CaseRequest request, CancellationToken cancellationToken);
}
