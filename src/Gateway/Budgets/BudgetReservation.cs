namespace LlmGateway.Budgets;

/// <summary>What was reserved before forwarding, to settle against the actual figures afterwards.</summary>
internal sealed record BudgetReservation(string KeyId, DateTimeOffset At, long CostNanoUsd, long Tokens);
