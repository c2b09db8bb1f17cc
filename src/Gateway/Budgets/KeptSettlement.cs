namespace LlmGateway.Budgets;

/// <summary>
/// An amount waiting for the store (<see cref="SettlementBacklog"/>), and the id the store marks it counted by: sent again
/// under the same id, it is counted once.
/// </summary>
internal readonly record struct KeptSettlement(Guid Id, long NanoUsd);
