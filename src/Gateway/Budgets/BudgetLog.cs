namespace LlmGateway.Budgets;

internal static partial class BudgetLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Budget check impossible, request {Outcome}: the store failed with {ErrorType}.")]
    public static partial void StoreUnavailable(ILogger logger, string outcome, string errorType);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Could not count key {KeyId}'s spend in the store ({ErrorType}): an overrun is kept in this process to count when the store is back; an unspent reservation stays counted.")]
    public static partial void SettleFailed(ILogger logger, string keyId, string errorType);

    [LoggerMessage(EventId = 808, Level = LogLevel.Error, Message = "The store refused key {KeyId}'s budget reservation ({ErrorType}); the request was refused, not let through: the same script fails the same way until the key's counters are looked at.")]
    public static partial void ReservationRefusedByStore(ILogger logger, string keyId, string errorType, Exception exception);

    [LoggerMessage(EventId = 809, Level = LogLevel.Error, Message = "The store refused to count {NanoUsd} nano-USD of key {KeyId}'s spend ({ErrorType}); not kept to retry: the same count fails the same way every time.")]
    public static partial void CountRefusedByStore(ILogger logger, long nanoUsd, string keyId, string errorType, Exception exception);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "The provider reported {ActualTokens} tokens for a request of key {KeyId} that reserved {ReservedTokens}: the reservation was not an upper bound.")]
    public static partial void Overrun(ILogger logger, string keyId, long reservedTokens, long actualTokens);

    [LoggerMessage(EventId = 804, Level = LogLevel.Information, Message = "Counted {Count} budget overruns the store could not take when they were settled.")]
    public static partial void AdjustmentsWritten(ILogger logger, int count);

    [LoggerMessage(EventId = 805, Level = LogLevel.Warning, Message = "The store still cannot take {Count} waiting budget overruns ({ErrorType}): kept to retry.")]
    public static partial void RetryFailed(ILogger logger, int count, string errorType);

    [LoggerMessage(EventId = 806, Level = LogLevel.Error, Message = "{NanoUsd} nano-USD of key {KeyId}'s spend will not reach the store: {MaxEntries} keys and days already wait for it.")]
    public static partial void BacklogFull(ILogger logger, long nanoUsd, string keyId, int maxEntries);

    [LoggerMessage(EventId = 807, Level = LogLevel.Error, Message = "{Count} budget overruns will never reach the store (it did not take them by the stop): the spend counters read low until their day (or month) ends.")]
    public static partial void SettlementsLost(ILogger logger, int count);
}
