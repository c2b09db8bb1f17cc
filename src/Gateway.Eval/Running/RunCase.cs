using LlmGateway.Eval.Datasets;

namespace LlmGateway.Eval.Running;

/// <summary>
/// A case of the run. <see cref="Key"/> is the case id, qualified as <c>file#id</c> when the run has several
/// datasets (ids are only unique within a file).
/// </summary>
internal sealed record RunCase(int Index, string Key, DatasetId Dataset, EvalCase Case);
