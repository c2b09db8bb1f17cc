namespace LlmGateway.Behaviour;

/// <summary>A bundle's judge: which model grades its <c>llm-rubric</c> assertions, how often, within what daily spend.</summary>
internal sealed record OnlineJudgePlan(string Model, double SampleRate, decimal DailyBudgetUsd);
