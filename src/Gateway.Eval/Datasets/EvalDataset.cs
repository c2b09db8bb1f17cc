namespace LlmGateway.Eval.Datasets;

/// <summary>A parsed dataset: its identity and its cases in file order.</summary>
/// <param name="Id">File name and content hash.</param>
/// <param name="Path">Where it was loaded from, or null when parsed from memory.</param>
/// <param name="Cases">The cases, in file order, with unique ids.</param>
internal sealed record EvalDataset(DatasetId Id, string? Path, IReadOnlyList<EvalCase> Cases);
