namespace LlmGateway.Budgets;

internal static partial class BudgetLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Budget check impossible, request {Outcome}: the store failed with {ErrorType}.")]
    public static partial void StoreUnavailable(ILogger logger, string outcome, string errorType);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Could not settle the budget reservation of key {KeyId}: {ErrorType}.")]
    public static partial void SettleFailed(ILogger logger, string keyId, string errorType);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "The provider reported {ActualTokens} tokens for a request of key {KeyId} that reserved {ReservedTokens}: the reservation was not an upper bound.")]
    public static partial void Overrun(ILogger logger, string keyId, long reservedTokens, long actualTokens);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "Could not give back {NanoUsd} unspent nano-USD of key {KeyId}'s budget slice at stop ({ErrorType}): it stays counted until the day ends.")]
    public static partial void ReturnFailed(ILogger logger, long nanoUsd, string keyId, string errorType);
}
