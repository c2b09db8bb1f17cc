namespace LlmGateway.Sampling.Queue;

/// <summary>
/// One item handed to one consumer. <see cref="Receipt"/> proves the claim: only it can ack,
/// release or extend, so a consumer whose claim timed out and was redelivered cannot.
/// </summary>
/// <param name="Attempt">1 on first delivery; counts every claim since the item was enqueued.</param>
/// <param name="VisibleUntil">When the claim lapses unless acked or extended.</param>
internal sealed record ClaimedItem(string Id, string Receipt, int Attempt, DateTimeOffset VisibleUntil);
