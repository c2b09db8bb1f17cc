namespace LlmGateway.Budgets;

/// <summary>
/// What was reserved before forwarding, to settle against the actual figures afterwards. Settled
/// exactly once: by the request's completion, or (if it never got there) by the budget stage.
/// </summary>
internal sealed class BudgetReservation(string keyId, DateTimeOffset at, long costNanoUsd, long tokens)
{
    private int _settled;

    public string KeyId { get; } = keyId;

    public DateTimeOffset At { get; } = at;

    public long CostNanoUsd { get; } = costNanoUsd;

    public long Tokens { get; } = tokens;

    /// <summary>
    /// Let through with the store down (<see cref="BudgetOptions.FailOpen"/>): nothing was reserved, so all it spends is
    /// counted when it is settled, or kept for the store's return if it is still away.
    /// </summary>
    public bool LetThrough { get; init; }

    /// <summary>
    /// <see cref="Tokens"/> bounds only what the body shows: the provider also reads input the gateway cannot see (a
    /// stored conversation, a file by id) or bills its own tools' results as input (web search). Such a request's
    /// reported input is expected to pass it, so settling holds only its output to the output it reserved.
    /// </summary>
    public bool BodyBoundOnly { get; init; }

    /// <summary>The output part of <see cref="Tokens"/>: what a <see cref="BodyBoundOnly"/> request's output is held to.</summary>
    public long OutputTokens { get; init; }

    /// <summary>The key's lease when the cost was taken from a slice in this process: settled there, not in the store.</summary>
    public SpendLease? Lease { get; init; }

    /// <summary>The UTC day the reservation counts against.</summary>
    public DateOnly Day => DateOnly.FromDateTime(At.UtcDateTime);

    /// <summary>True for the one caller that gets to settle.</summary>
    public bool TryClaimSettlement() => Interlocked.Exchange(ref _settled, 1) == 0;
}
